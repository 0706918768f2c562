/*
 * Word confidences for grammar (FSG) results of pocketsphinx 5prealpha: lattice word posteriors
 * computed by our own forward-backward pass. See ps-confidence.c for what the numbers mean.
 */
#ifndef PS_CONFIDENCE_H
#define PS_CONFIDENCE_H

#include <pocketsphinx.h>

#define MAX_WORDS 64 /* words kept per hypothesis */

typedef struct {
    char word[64]; /* dictionary base spelling (no "(2)" pronunciation suffix) */
    int sf, ef;    /* first and last frame, lattice numbering (0 = utterance start) */
    double conf;   /* 0..1, filled by conf_score_words() */
} word_t;

typedef struct {
    word_t w[MAX_WORDS];
    int n;
} words_t;

/* Non-filler words of the decoder's current best hypothesis (final or partial). */
void conf_collect_words(ps_decoder_t *ps, words_t *out);

/*
 * Scores `words` (collected in the current utterance) against the utterance lattice, which
 * must be complete: call after ps_end_utt(). Returns the smallest word confidence, 0 if none.
 */
double conf_score_words(ps_decoder_t *ps, words_t *words);

#endif
