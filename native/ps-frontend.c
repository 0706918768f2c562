/*
 * ps-frontend: one pocketsphinx grammar recognizer per process (one process per call).
 *
 * Usage:
 *   ps-frontend --hmm DIR --dict FILE [--vad-postspeech FRAMES] [--vad-threshold X] [--log FILE]
 *
 * stdin: binary messages, each `type (1 byte) | length (uint32 little-endian) | payload`:
 *   'A'  audio: signed 16-bit little-endian PCM, 16 kHz mono, any whole number of samples
 *   'G'  grammar: JSGF text (one public rule). Compiled at once; becomes the active search at the
 *        next utterance boundary (pocketsphinx cannot switch searches mid-utterance). Between turns
 *        (no speech detected yet) that boundary is immediate.
 *   'F'  finalize: end the current utterance now and emit its final (empty text if no speech)
 *   'Q'  quit: exit 0
 * stdin EOF also exits 0. Audio sent before the first grammar is discarded (there is no search).
 *
 * stdout: one JSON object per line, flushed per line:
 *   {"type":"ready"}                                  decoder loaded; send 'G' next
 *   {"type":"grammar","id":N}                         grammar N (1-based, in 'G' order) is now active
 *   {"type":"speech_start","audioMs":T}               VAD detected speech; T = stream position
 *   {"type":"partial","text":"..."}                   hypothesis changed during speech
 *   {"type":"final","text":"...","confidence":C,"source":S,"reason":R,"speechEndAudioMs":T}
 *        S = "final" (grammar-complete hypothesis), "partial" (grammar search ended outside a final
 *        state: last partial used), "none" (no hypothesis). R = "vad" | "finalize".
 *        C = posterior probability P(words | audio) of the returned word sequence within the
 *        grammar's word lattice (0..1); 0 when S is not "final". See confidence() below.
 *   {"type":"error","message":"...","fatal":B}        fatal errors are followed by exit 1
 *
 * Stream positions (audioMs) count every sample received on stdin, in milliseconds.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pocketsphinx.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/err.h>
#include <sphinxbase/feat.h>
#include <sphinxbase/logmath.h>

#include "ps-confidence.h"

#define MAX_PAYLOAD (4u * 1024u * 1024u)
#define SAMPLE_RATE 16000
#define FRAMES_PER_SEC 100 /* pocketsphinx default -frate */
#define START_SPEECH_FRAMES 10 /* pocketsphinx default -vad_startspeech */
typedef struct {
    ps_decoder_t *ps;
    int grammar_count;        /* grammars received so far; names are "g<N>" */
    int active;               /* id of the active search; 0 = none yet */
    int pending;              /* id compiled and waiting for an utterance boundary; 0 = none */
    int in_utt;               /* ps_start_utt called and not yet ended */
    int utt_speech;           /* VAD fired in the current utterance */
    uint64_t samples;         /* samples received (stream position) */
    int postspeech_frames;
    uint64_t speech_start_ms; /* estimated onset of the current utterance's speech */
    uint64_t max_utt_ms;      /* force the end of an utterance whose speech runs this long */
    char *last_partial;
    words_t partial_words;    /* segmentation of last_partial */
    words_t final_words;
} state_t;


/* ---- output ---------------------------------------------------------------------------- */

static void out_line(const char *line) {
    if (fputs(line, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
        /* Parent has gone away: nothing left to do. */
        exit(0);
    }
}

/* JSON string body escaping into a malloc'd buffer. */
static char *json_escape(const char *s) {
    size_t n = strlen(s);
    char *o = malloc(n * 6 + 1);
    char *p = o;
    if (!o) exit(1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { *p++ = '\\'; *p++ = (char)c; }
        else if (c < 0x20) p += sprintf(p, "\\u%04x", c);
        else *p++ = (char)c;
    }
    *p = '\0';
    return o;
}

static void emit_error(const char *msg, int fatal) {
    char *e = json_escape(msg);
    char *line = malloc(strlen(e) + 64);
    if (!line) exit(1);
    sprintf(line, "{\"type\":\"error\",\"message\":\"%s\",\"fatal\":%s}", e, fatal ? "true" : "false");
    out_line(line);
    free(line);
    free(e);
    if (fatal) exit(1);
}

static void emit_text(const char *type, const char *text) {
    char *e = json_escape(text);
    char *line = malloc(strlen(e) + 64);
    if (!line) exit(1);
    sprintf(line, "{\"type\":\"%s\",\"text\":\"%s\"}", type, e);
    out_line(line);
    free(line);
    free(e);
}

static uint64_t audio_ms(const state_t *st) { return st->samples * 1000u / SAMPLE_RATE; }

/* ---- searches and utterances ------------------------------------------------------------ */

static void search_name(int id, char *buf) { sprintf(buf, "g%d", id); }

static void start_utt(state_t *st) {
    if (ps_start_utt(st->ps) < 0) emit_error("ps_start_utt failed", 1);
    st->in_utt = 1;
    st->utt_speech = 0;
    free(st->last_partial);
    st->last_partial = NULL;
}

/* Activate the pending grammar; only called outside an utterance. */
static void apply_pending(state_t *st) {
    char name[32], old[32];
    char line[64];
    if (!st->pending) return;
    search_name(st->pending, name);
    if (ps_set_search(st->ps, name) < 0) {
        emit_error("could not activate grammar", 0);
        st->pending = 0;
        return;
    }
    if (st->active) {
        search_name(st->active, old);
        ps_unset_search(st->ps, old);
    }
    st->active = st->pending;
    st->pending = 0;
    sprintf(line, "{\"type\":\"grammar\",\"id\":%d}", st->active);
    out_line(line);
}

/* Appends `"words":[{"word":..,"confidence":..},...]` to buf (sized by the caller). */
static void format_words(char *buf, const words_t *words) {
    int i;
    buf += sprintf(buf, "\"words\":[");
    for (i = 0; i < words->n; i++) {
        char *e = json_escape(words->w[i].word);
        buf += sprintf(buf, "%s{\"word\":\"%s\",\"confidence\":%.4f}", i ? "," : "", e,
                       words->w[i].conf);
        free(e);
    }
    sprintf(buf, "]");
}

/* End the current utterance, emit its final, switch grammar if one is waiting, start the next. */
static void finish_utt(state_t *st, const char *reason, uint64_t speech_end_ms) {
    const char *hyp = NULL;
    const char *source = "none";
    double conf = 0.0;
    int32 score = 0;
    words_t *words = &st->final_words;
    char *text, *line;

    words->n = 0;
    if (st->in_utt) {
        ps_end_utt(st->ps);
        st->in_utt = 0;
        if (st->utt_speech) {
            hyp = ps_get_hyp(st->ps, &score);
            if (hyp && hyp[0]) {
                source = "final";
                conf_collect_words(st->ps, words);
            } else if (st->last_partial && st->last_partial[0]) {
                /* Grammar search ended outside a final state: fall back to the last partial. */
                hyp = st->last_partial;
                source = "partial";
                words = &st->partial_words;
            } else {
                hyp = NULL;
            }
            if (hyp) conf = conf_score_words(st->ps, words);
        }
    }
    text = json_escape(hyp ? hyp : "");
    line = malloc(strlen(text) + 256 + (size_t)words->n * 160);
    if (!line) exit(1);
    {
        int off = sprintf(line, "{\"type\":\"final\",\"text\":\"%s\",\"confidence\":%.4f,", text,
                          conf);
        format_words(line + off, words);
        off += (int)strlen(line + off);
        sprintf(line + off, ",\"source\":\"%s\",\"reason\":\"%s\",\"speechEndAudioMs\":%llu}",
                source, reason, (unsigned long long)speech_end_ms);
    }
    out_line(line);
    free(line);
    free(text);
    apply_pending(st);
    if (st->active) start_utt(st);
}

static void on_grammar(state_t *st, const char *jsgf) {
    char name[32];
    int id = ++st->grammar_count;
    search_name(id, name);
    if (ps_set_jsgf_string(st->ps, name, jsgf) < 0) {
        emit_error("grammar rejected (syntax error or word missing from the dictionary)", 0);
        return;
    }
    if (st->pending) {
        char old[32];
        search_name(st->pending, old);
        ps_unset_search(st->ps, old);
    }
    st->pending = id;
    /* No speech in the current utterance: this is a boundary, switch now. */
    if (!st->utt_speech) {
        if (st->in_utt) {
            ps_end_utt(st->ps);
            st->in_utt = 0;
        }
        apply_pending(st);
        start_utt(st);
    }
}

static void on_audio(state_t *st, const int16_t *pcm, size_t n) {
    const char *hyp;
    int32 score;
    uint8 in_speech;
    uint64_t now;
    st->samples += n;
    if (!st->in_utt) return;
    if (ps_process_raw(st->ps, pcm, n, FALSE, FALSE) < 0) {
        emit_error("ps_process_raw failed", 0);
        return;
    }
    now = audio_ms(st);
    in_speech = ps_get_in_speech(st->ps);
    if (in_speech && !st->utt_speech) {
        /* The VAD fires after -vad_startspeech speech frames: report the estimated onset. */
        uint64_t lag = (uint64_t)START_SPEECH_FRAMES * 1000u / FRAMES_PER_SEC;
        char line[96];
        st->utt_speech = 1;
        st->speech_start_ms = now > lag ? now - lag : 0;
        sprintf(line, "{\"type\":\"speech_start\",\"audioMs\":%llu}",
                (unsigned long long)st->speech_start_ms);
        out_line(line);
    }
    if (!st->utt_speech) return;
    if (!in_speech) {
        /* The VAD ends speech after -vad_postspeech non-speech frames. */
        uint64_t hang = (uint64_t)st->postspeech_frames * 1000u / FRAMES_PER_SEC;
        finish_utt(st, "vad", now > hang ? now - hang : 0);
        return;
    }
    if (now - st->speech_start_ms >= st->max_utt_ms) {
        finish_utt(st, "maxlen", now);
        return;
    }
    hyp = ps_get_hyp(st->ps, &score);
    if (hyp && hyp[0] && (!st->last_partial || strcmp(hyp, st->last_partial) != 0)) {
        free(st->last_partial);
        st->last_partial = strdup(hyp);
        conf_collect_words(st->ps, &st->partial_words);
        emit_text("partial", hyp);
    }
}

/* ---- input ------------------------------------------------------------------------------ */

/* Read exactly n bytes. Returns 1 on success, 0 on clean EOF before any byte, exits otherwise. */
static int read_full(void *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(STDIN_FILENO, (char *)buf + got, n - got);
        if (r == 0) {
            if (got == 0) return 0;
            exit(0); /* truncated message at EOF: the parent closed us mid-write */
        }
        if (r < 0) {
            if (errno == EINTR) continue;
            exit(0);
        }
        got += (size_t)r;
    }
    return 1;
}

static void usage(void) {
    fprintf(stderr, "usage: ps-frontend --hmm DIR --dict FILE [--vad-postspeech FRAMES] "
                    "[--vad-threshold X] [--cmninit C0,C1,..] [--max-utt-ms MS] [--log FILE]\n");
    exit(2);
}

/*
 * Initial cepstral mean for live CMN. The model's feat.params value (which overrides -cmninit)
 * fits wide-band audio; telephone audio upsampled to 16 kHz has no energy above 4 kHz, so the
 * first utterance of a call would be decoded against a badly wrong mean.
 */
static void set_cmn(ps_decoder_t *ps, const char *csv) {
    feat_t *feat = ps_get_feat(ps);
    mfcc_t vec[64];
    int n = 0, len = feat_cepsize(feat);
    const char *p = csv;
    char *end;
    memset(vec, 0, sizeof vec);
    while (*p && n < len && n < 64) {
        vec[n++] = (mfcc_t)strtod(p, &end);
        if (end == p) usage();
        p = *end == ',' ? end + 1 : end;
    }
    cmn_live_set(feat->cmn_struct, vec);
}

/* Parses our flags, then builds the pocketsphinx configuration. NULL on failure. */
static ps_decoder_t *init_decoder(int argc, char **argv, state_t *st) {
    const char *hmm = NULL, *dict = NULL, *log = "/dev/null", *threshold = "2.0";
    const char *cmninit = NULL;
    char post[16];
    cmd_ln_t *config;
    ps_decoder_t *ps;
    int i;
    st->postspeech_frames = 35;
    st->max_utt_ms = 20000;
    for (i = 1; i < argc; i += 2) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) usage();
        if (strcmp(a, "--hmm") == 0) hmm = v;
        else if (strcmp(a, "--dict") == 0) dict = v;
        else if (strcmp(a, "--log") == 0) log = v;
        else if (strcmp(a, "--vad-threshold") == 0) threshold = v;
        else if (strcmp(a, "--cmninit") == 0) cmninit = v;
        else if (strcmp(a, "--vad-postspeech") == 0) {
            st->postspeech_frames = atoi(v);
            if (st->postspeech_frames < 1 || st->postspeech_frames > 500) usage();
        } else if (strcmp(a, "--max-utt-ms") == 0) {
            long ms = atol(v);
            if (ms < 1000) usage();
            st->max_utt_ms = (uint64_t)ms;
        } else usage();
    }
    if (!hmm || !dict) usage();
    sprintf(post, "%d", st->postspeech_frames);
    /* pocketsphinx logs verbosely; keep stdout for the protocol and stderr quiet by default. */
    err_set_logfile(log);
    config = cmd_ln_init(NULL, ps_args(), TRUE,
                         "-hmm", hmm, "-dict", dict, "-samprate", "16000",
                         /* Wide beams: grammar search otherwise often ends outside a final state. */
                         "-beam", "1e-80", "-pbeam", "1e-80", "-wbeam", "1e-60",
                         "-vad_postspeech", post, "-vad_threshold", threshold, NULL);
    if (!config) return NULL;
    ps = ps_init(config);
    if (ps && cmninit) set_cmn(ps, cmninit);
    return ps;
}

int main(int argc, char **argv) {
    state_t st;
    unsigned char hdr[5];
    unsigned char *buf = NULL;
    size_t cap = 0;

    memset(&st, 0, sizeof st);
    signal(SIGPIPE, SIG_IGN);
    st.ps = init_decoder(argc, argv, &st);
    if (!st.ps) emit_error("decoder initialisation failed (check --hmm and --dict)", 1);
    out_line("{\"type\":\"ready\"}");

    while (read_full(hdr, sizeof hdr)) {
        uint32_t len = (uint32_t)hdr[1] | ((uint32_t)hdr[2] << 8) | ((uint32_t)hdr[3] << 16) |
                       ((uint32_t)hdr[4] << 24);
        if (len > MAX_PAYLOAD) emit_error("message too large", 1);
        if (len + 1 > cap) {
            cap = len + 1;
            buf = realloc(buf, cap);
            if (!buf) exit(1);
        }
        if (len && !read_full(buf, len)) break;
        switch (hdr[0]) {
        case 'A':
            if (len % 2) emit_error("audio payload must be whole 16-bit samples", 0);
            else on_audio(&st, (const int16_t *)buf, len / 2);
            break;
        case 'G':
            buf[len] = '\0';
            on_grammar(&st, (const char *)buf);
            break;
        case 'F':
            finish_utt(&st, "finalize", audio_ms(&st));
            break;
        case 'Q':
            goto done;
        default:
            emit_error("unknown message type", 1);
        }
    }
done:
    if (st.in_utt) ps_end_utt(st.ps);
    ps_free(st.ps);
    free(buf);
    free(st.last_partial);
    return 0;
}
