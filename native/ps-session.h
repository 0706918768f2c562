/*
 * One call's recognition session: utterances, grammar switching and the JSON lines on stdout.
 * Single-threaded; every function is called from the main loop in ps-frontend.c.
 */
#ifndef PS_SESSION_H
#define PS_SESSION_H

#include <stdint.h>
#include <stddef.h>

#include <pocketsphinx.h>

#include "ps-confidence.h"

#define SAMPLE_RATE 16000
#define FRAMES_PER_SEC 100     /* pocketsphinx default -frate */
#define START_SPEECH_FRAMES 10 /* pocketsphinx default -vad_startspeech */

typedef struct {
    ps_decoder_t *ps;
    int grammar_count;        /* grammars received so far; names are "g<N>" */
    int active;               /* id of the active search; 0 = none yet */
    char *pending_jsgf;       /* grammar that arrived during speech, for the next boundary */
    int pending_id;
    char *pending_words;      /* dictionary lines that arrived during speech */
    int in_utt;               /* ps_start_utt called and not yet ended */
    int utt_speech;           /* VAD fired in the current utterance */
    uint64_t samples;         /* samples received (stream position) */
    int postspeech_frames;    /* -vad_postspeech, to date the end of speech */
    uint64_t speech_start_ms; /* estimated onset of the current utterance's speech */
    uint64_t max_utt_ms;      /* force the end of an utterance whose speech runs this long */
    char *last_partial;
    words_t partial_words;    /* segmentation of last_partial */
    words_t final_words;
} state_t;

/* Audio: s16 16 kHz samples, in stream order. */
void session_audio(state_t *st, const int16_t *pcm, size_t n);
/*
 * Dictionary lines and grammars change shared decoder state, so both take effect at an
 * utterance boundary: now when no speech is in progress, else when the utterance ends.
 */
void session_words(state_t *st, const char *lines);
/* Grammar: JSGF text; becomes the active search (see above). */
void session_grammar(state_t *st, const char *jsgf);
/* Finalize: end the utterance now and emit its final (empty text when there was no speech). */
void session_finalize(state_t *st);
/* Writes one protocol line; exits when the parent has gone. */
void out_line(const char *line);
/* Writes an error line; exits 1 after it when `fatal`. */
void emit_error(const char *msg, int fatal);

#endif
