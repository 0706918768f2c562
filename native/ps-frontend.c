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
#include <sphinxbase/err.h>
#include <sphinxbase/logmath.h>

#define MAX_PAYLOAD (4u * 1024u * 1024u)
#define SAMPLE_RATE 16000
#define FRAMES_PER_SEC 100 /* pocketsphinx default -frate */

typedef struct {
    ps_decoder_t *ps;
    int grammar_count;        /* grammars received so far; names are "g<N>" */
    int active;               /* id of the active search; 0 = none yet */
    int pending;              /* id compiled and waiting for an utterance boundary; 0 = none */
    int in_utt;               /* ps_start_utt called and not yet ended */
    int utt_speech;           /* VAD fired in the current utterance */
    uint64_t samples;         /* samples received (stream position) */
    int postspeech_frames;
    char *last_partial;
    int debug_conf;
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

/* ---- confidence ------------------------------------------------------------------------ */

/*
 * Confidence of a grammar-complete final: the posterior probability of the best word sequence
 * given the audio, computed over the utterance's word lattice (forward-backward with acoustic
 * scores scaled by 1/-ascale). -bestpath yes makes pocketsphinx build that lattice; ps_get_prob
 * returns log P(S|O) in the decoder's log base. The lattice contains every grammar path that
 * survived the beams, so competing phrases ("yes" vs "no") and their alignments share the mass.
 * Filler and silence alignments of the same words also split it, so the sentence posterior is
 * a lower bound; we therefore use the smallest word posterior of the non-filler words on the
 * best path (each word's lattice link posterior, which already sums over competing paths
 * through that link) when it is available, the sentence posterior otherwise.
 */
static double confidence(state_t *st, double *out_sentence, double *out_minword) {
    ps_lattice_t *dag = ps_get_lattice(st->ps);
    logmath_t *lmath;
    ps_latlink_t *link;
    float32 ascale = 1.0f / (float32)cmd_ln_float32_r(ps_get_config(st->ps), "-ascale");
    int32 post;
    double minword = -1.0;
    *out_sentence = 0;
    *out_minword = -1;
    if (!dag) return 0.0;
    lmath = ps_lattice_get_logmath(dag);
    link = ps_lattice_bestpath(dag, NULL, 1.0f, ascale);
    if (!link) return 0.0;
    post = ps_lattice_posterior(dag, NULL, ascale);
    *out_sentence = logmath_exp(lmath, post);
    for (; link; link = ps_latlink_pred(link)) {
        const char *w = ps_latlink_baseword(dag, link);
        int32 ascr;
        double p = logmath_exp(lmath, ps_latlink_prob(dag, link, &ascr));
        if (st->debug_conf) fprintf(stderr, "  link %s p=%.4f\n", w ? w : "(null)", p);
        if (!w || w[0] == '<' || w[0] == '[' || w[0] == '+') continue;
        if (minword < 0 || p < minword) minword = p;
    }
    *out_minword = minword;
    return minword >= 0 ? (minword > 1.0 ? 1.0 : minword) : *out_sentence;
}

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

/* End the current utterance, emit its final, switch grammar if one is waiting, start the next. */
static void finish_utt(state_t *st, const char *reason, uint64_t speech_end_ms) {
    const char *hyp = NULL;
    const char *source = "none";
    double conf = 0.0, sentence = 0.0, minword = -1.0;
    int32 score = 0;
    char *text, *line;

    if (st->in_utt) {
        ps_end_utt(st->ps);
        st->in_utt = 0;
        if (st->utt_speech) {
            hyp = ps_get_hyp(st->ps, &score);
            if (hyp && hyp[0]) {
                source = "final";
                conf = confidence(st, &sentence, &minword);
            } else if (st->last_partial && st->last_partial[0]) {
                hyp = st->last_partial;
                source = "partial";
            } else {
                hyp = NULL;
            }
        }
    }
    text = json_escape(hyp ? hyp : "");
    line = malloc(strlen(text) + 256);
    if (!line) exit(1);
    if (st->debug_conf)
        sprintf(line,
                "{\"type\":\"final\",\"text\":\"%s\",\"confidence\":%.4f,\"source\":\"%s\","
                "\"reason\":\"%s\",\"speechEndAudioMs\":%llu,\"sentencePost\":%.6f,"
                "\"minWordPost\":%.6f,\"score\":%d}",
                text, conf, source, reason, (unsigned long long)speech_end_ms, sentence, minword,
                (int)score);
    else
        sprintf(line,
                "{\"type\":\"final\",\"text\":\"%s\",\"confidence\":%.4f,\"source\":\"%s\","
                "\"reason\":\"%s\",\"speechEndAudioMs\":%llu}",
                text, conf, source, reason, (unsigned long long)speech_end_ms);
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
    st->samples += n;
    if (!st->in_utt) return;
    if (ps_process_raw(st->ps, pcm, n, FALSE, FALSE) < 0) {
        emit_error("ps_process_raw failed", 0);
        return;
    }
    in_speech = ps_get_in_speech(st->ps);
    if (in_speech && !st->utt_speech) {
        char line[96];
        st->utt_speech = 1;
        sprintf(line, "{\"type\":\"speech_start\",\"audioMs\":%llu}",
                (unsigned long long)audio_ms(st));
        out_line(line);
    }
    if (!st->utt_speech) return;
    if (!in_speech) {
        uint64_t hang = (uint64_t)st->postspeech_frames * 1000u / FRAMES_PER_SEC;
        uint64_t now = audio_ms(st);
        finish_utt(st, "vad", now > hang ? now - hang : 0);
        return;
    }
    hyp = ps_get_hyp(st->ps, &score);
    if (hyp && hyp[0] && (!st->last_partial || strcmp(hyp, st->last_partial) != 0)) {
        free(st->last_partial);
        st->last_partial = strdup(hyp);
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
                    "[--vad-threshold X] [--log FILE] [--debug-conf]\n");
    exit(2);
}

static ps_decoder_t *init_decoder(int argc, char **argv, state_t *st) {
    const char *hmm = NULL, *dict = NULL, *log = "/dev/null", *threshold = "2.0";
    char post[16];
    cmd_ln_t *config;
    int i;
    st->postspeech_frames = 35;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--debug-conf") == 0) { st->debug_conf = 1; continue; }
        if (!v) usage();
        if (strcmp(a, "--hmm") == 0) hmm = v;
        else if (strcmp(a, "--dict") == 0) dict = v;
        else if (strcmp(a, "--log") == 0) log = v;
        else if (strcmp(a, "--vad-threshold") == 0) threshold = v;
        else if (strcmp(a, "--vad-postspeech") == 0) {
            st->postspeech_frames = atoi(v);
            if (st->postspeech_frames < 1 || st->postspeech_frames > 500) usage();
        } else usage();
        i++;
    }
    if (!hmm || !dict) usage();
    sprintf(post, "%d", st->postspeech_frames);
    err_set_logfile(log);
    config = cmd_ln_init(NULL, ps_args(), TRUE,
                         "-hmm", hmm, "-dict", dict, "-samprate", "16000",
                         "-beam", "1e-80", "-pbeam", "1e-80", "-wbeam", "1e-60",
                         "-bestpath", "yes", "-vad_postspeech", post,
                         "-vad_threshold", threshold, NULL);
    if (!config) return NULL;
    return ps_init(config);
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
