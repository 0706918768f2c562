/*
 * ps-frontend: one pocketsphinx grammar recognizer per process, one process per call.
 * Built by scripts/build-native.sh; driven by src/stt/providers/pocketsphinx*.ts.
 *
 * Usage:
 *   ps-frontend --hmm DIR --dict FILE [--vad-postspeech FRAMES] [--vad-threshold X]
 *               [--cmninit C0,C1,..,C12] [--max-utt-ms MS] [--log FILE] [--ps -name value]...
 * Defaults: --vad-postspeech 35 (end of speech = 350 ms of non-speech), --vad-threshold 2.0,
 * --max-utt-ms 20000, --log /dev/null (pocketsphinx's own log; stdout is only the protocol).
 * --ps passes any pocketsphinx option through (tuning experiments), overriding ours.
 *
 * stdin: binary messages, each `type (1 byte) | length (uint32 little-endian) | payload`:
 *   'A'  audio: signed 16-bit little-endian PCM, 16 kHz mono, any whole number of samples
 *   'G'  grammar: JSGF text (first public rule). Compiled and made the active search at the next
 *        utterance boundary (pocketsphinx cannot switch searches mid-utterance); while no speech
 *        has been detected, that boundary is now. The first 'G' starts decoding: audio before
 *        it is counted in stream positions but not decoded.
 *   'D'  dictionary: lines "word PHONES" ("word(2) PHONES" for an alternate), added to the
 *        decoder's dictionary when missing; like 'G', at the next utterance boundary. Send the
 *        words a grammar uses before the grammar (--dict may then be a tiny file, even /dev/null:
 *        loading all of CMUdict costs ~120 ms and ~22 MB per process).
 *   'F'  finalize: end the current utterance now and emit its final (empty text if no speech)
 *   'Q'  quit: exit 0. stdin EOF does the same.
 *
 * stdout: one JSON object per line, flushed per line, in this order per utterance:
 *   {"type":"ready"}                               decoder loaded (once, first line)
 *   {"type":"grammar","id":N}                      the N-th 'G' (1-based) is now the active search
 *   {"type":"speech_start","audioMs":T}            VAD detected speech; T = estimated onset
 *   {"type":"partial","text":"..."}                hypothesis changed during speech
 *   {"type":"final","text":"...","confidence":C,"words":[{"word":"...","confidence":c},...],
 *    "source":S,"reason":R,"speechEndAudioMs":T}
 *        S = "final" (grammar-complete hypothesis), "partial" (grammar search ended outside a
 *        final state: the last partial is used), "none" (no speech / no hypothesis).
 *        R = "vad" | "finalize" | "maxlen" (speech ran longer than --max-utt-ms).
 *        c = lattice word posterior (0..1), C = the smallest c, 0 when there are no words; see
 *        ps-confidence.c for exactly what they mean. T = end of speech (VAD hangover removed).
 *   {"type":"error","message":"...","fatal":B}     fatal: exit 1 follows
 *
 * Stream positions (audioMs) are milliseconds of audio received on stdin since the start.
 * Exit status: 0 on 'Q'/EOF or when stdout is closed, 1 on fatal errors, 2 on bad arguments.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pocketsphinx.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/err.h>
#include <sphinxbase/feat.h>

#include "ps-session.h"

#define MAX_PAYLOAD (4u * 1024u * 1024u)

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
                    "[--vad-threshold X] [--cmninit C0,C1,..] [--max-utt-ms MS] [--log FILE] "
                    "[--ps -name value]...\n");
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

#define MAX_PS_ARGS 64

/* Appends "-name value" to a pocketsphinx argv unless `extra` (pairs) sets that name itself. */
static void ps_arg(const char **av, int *n, const char *name, const char *value, const char **extra,
                   int n_extra) {
    int i;
    for (i = 0; i < n_extra; i += 2)
        if (strcmp(extra[i], name) == 0) return;
    if (*n + 2 >= MAX_PS_ARGS) usage();
    av[(*n)++] = name;
    av[(*n)++] = value;
}

/* Parses our flags, then builds the pocketsphinx configuration. NULL on failure. */
static ps_decoder_t *init_decoder(int argc, char **argv, state_t *st) {
    const char *hmm = NULL, *dict = NULL, *log = "/dev/null", *threshold = "2.0";
    const char *cmninit = NULL;
    const char *extra[MAX_PS_ARGS], *av[2 * MAX_PS_ARGS];
    int n_extra = 0, n = 0;
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
        } else if (strcmp(a, "--ps") == 0 && i + 2 < argc && n_extra + 2 < MAX_PS_ARGS) {
            /* --ps -name value: any pocketsphinx option (tuning experiments) */
            extra[n_extra++] = v;
            extra[n_extra++] = argv[i + 2];
            i++;
        } else usage();
    }
    if (!hmm || !dict) usage();
    sprintf(post, "%d", st->postspeech_frames);
    av[n++] = argv[0];
    ps_arg(av, &n, "-hmm", hmm, extra, 0);
    ps_arg(av, &n, "-dict", dict, extra, 0);
    ps_arg(av, &n, "-samprate", "16000", extra, 0);
    /* Wide beams: grammar search otherwise often ends outside a final state. */
    ps_arg(av, &n, "-beam", "1e-80", extra, n_extra);
    ps_arg(av, &n, "-pbeam", "1e-80", extra, n_extra);
    ps_arg(av, &n, "-wbeam", "1e-60", extra, n_extra);
    ps_arg(av, &n, "-vad_postspeech", post, extra, n_extra);
    ps_arg(av, &n, "-vad_threshold", threshold, extra, n_extra);
    for (i = 0; i < n_extra; i++) av[n++] = extra[i];
    /* pocketsphinx logs verbosely; keep stdout for the protocol and stderr quiet by default. */
    err_set_logfile(log);
    config = cmd_ln_parse_r(NULL, ps_args(), n, (char **)av, TRUE);
    if (!config) return NULL;
    ps = ps_init(config);
    cmd_ln_free_r(config); /* the decoder holds its own reference */
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
            else session_audio(&st, (const int16_t *)buf, len / 2);
            break;
        case 'G':
            buf[len] = '\0';
            session_grammar(&st, (const char *)buf);
            break;
        case 'D':
            buf[len] = '\0';
            session_words(&st, (const char *)buf);
            break;
        case 'F':
            session_finalize(&st);
            break;
        case 'Q':
            goto done;
        default:
            emit_error("unknown message type", 1);
        }
    }
done:
    if (st.in_utt) ps_end_utt(st.ps);
    free(st.pending_jsgf);
    free(st.pending_words);
    ps_free(st.ps);
    free(buf);
    free(st.last_partial);
    return 0;
}
