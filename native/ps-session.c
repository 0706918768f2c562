/*
 * Utterances and grammar switching for one call (see ps-session.h), and the JSON protocol lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/cmd_ln.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/jsgf.h>

#include "ps-session.h"

/* ---- output ---------------------------------------------------------------------------- */

void out_line(const char *line) {
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

void emit_error(const char *msg, int fatal) {
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

/* Ends an utterance in which the VAD heard nothing (a boundary without a result). */
static void end_silent_utt(state_t *st) {
    if (!st->in_utt) return;
    ps_end_utt(st->ps);
    st->in_utt = 0;
}

/* Adds "word PHONES" lines (dictionary format, "word(2)" for alternates) the decoder lacks. */
static void add_words(state_t *st, char *lines) {
    char *save = NULL, *line;
    int failed = 0;
    for (line = strtok_r(lines, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *phones = line + strcspn(line, " \t");
        char *known;
        if (*phones == '\0') continue;
        *phones++ = '\0';
        phones += strspn(phones, " \t");
        if ((known = ps_lookup_word(st->ps, line)) != NULL) {
            ckd_free(known);
            continue;
        }
        if (ps_add_word(st->ps, line, phones, FALSE) < 0) failed++;
    }
    if (failed) emit_error("dictionary entries rejected (unknown phones)", 0);
}

/*
 * Compiles and activates grammar `id`; only called outside an utterance. ps_set_jsgf_string()
 * of this release leaks the parsed grammar on every call, so compile with jsgf_read_string().
 */
static void activate_grammar(state_t *st, int id, const char *jsgf) {
    char name[32], old[32], line[64];
    float32 lw = cmd_ln_float32_r(ps_get_config(st->ps), "-lw");
    fsg_model_t *fsg = jsgf_read_string(jsgf, ps_get_logmath(st->ps), lw);
    int rc = -1;
    search_name(id, name);
    if (fsg) {
        rc = ps_set_fsg(st->ps, name, fsg);
        fsg_model_free(fsg); /* the search keeps its own reference */
    }
    if (rc < 0 || ps_set_search(st->ps, name) < 0) {
        emit_error("grammar rejected (syntax error or word missing from the dictionary)", 0);
        return;
    }
    if (st->active) {
        search_name(st->active, old);
        ps_unset_search(st->ps, old);
    }
    st->active = id;
    sprintf(line, "{\"type\":\"grammar\",\"id\":%d}", id);
    out_line(line);
}

/* At an utterance boundary: words and grammar that arrived during speech take effect. */
static void apply_pending(state_t *st) {
    if (st->pending_words) {
        add_words(st, st->pending_words);
        free(st->pending_words);
        st->pending_words = NULL;
    }
    if (st->pending_jsgf) {
        activate_grammar(st, st->pending_id, st->pending_jsgf);
        free(st->pending_jsgf);
        st->pending_jsgf = NULL;
    }
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

static void emit_final(const char *hyp, double conf, const words_t *words, const char *source,
                       const char *reason, uint64_t speech_end_ms) {
    char *text = json_escape(hyp ? hyp : "");
    char *line = malloc(strlen(text) + 256 + (size_t)words->n * 512);
    int off;
    if (!line) exit(1);
    off = sprintf(line, "{\"type\":\"final\",\"text\":\"%s\",\"confidence\":%.4f,", text, conf);
    format_words(line + off, words);
    off += (int)strlen(line + off);
    sprintf(line + off, ",\"source\":\"%s\",\"reason\":\"%s\",\"speechEndAudioMs\":%llu}", source,
            reason, (unsigned long long)speech_end_ms);
    out_line(line);
    free(line);
    free(text);
}

/* End the current utterance, emit its final, apply what waited for a boundary, start the next. */
static void finish_utt(state_t *st, const char *reason, uint64_t speech_end_ms) {
    const char *hyp = NULL;
    const char *source = "none";
    double conf = 0.0;
    int32 score = 0;
    words_t *words = &st->final_words;

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
    emit_final(hyp, conf, words, source, reason, speech_end_ms);
    apply_pending(st);
    if (st->active) start_utt(st);
}

void session_words(state_t *st, const char *lines) {
    if (st->utt_speech) {
        size_t old = st->pending_words ? strlen(st->pending_words) : 0;
        st->pending_words = realloc(st->pending_words, old + strlen(lines) + 2);
        if (!st->pending_words) exit(1);
        sprintf(st->pending_words + old, "%s\n", lines);
        return;
    }
    end_silent_utt(st);
    {
        char *copy = strdup(lines);
        if (!copy) exit(1);
        add_words(st, copy);
        free(copy);
    }
    if (st->active) start_utt(st);
}

void session_grammar(state_t *st, const char *jsgf) {
    int id = ++st->grammar_count;
    if (st->utt_speech) {
        /* Mid-utterance: the latest grammar wins at the boundary. */
        free(st->pending_jsgf);
        st->pending_jsgf = strdup(jsgf);
        if (!st->pending_jsgf) exit(1);
        st->pending_id = id;
        return;
    }
    end_silent_utt(st);
    activate_grammar(st, id, jsgf);
    if (st->active) start_utt(st);
}

void session_audio(state_t *st, const int16_t *pcm, size_t n) {
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

void session_finalize(state_t *st) { finish_utt(st, "finalize", audio_ms(st)); }
