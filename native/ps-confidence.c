/*
 * Confidence for grammar results: lattice word posteriors.
 *
 * What the number means. The grammar search leaves a word lattice: every (word, start, end)
 * that survived the beams, for every grammar path. A forward-backward pass over it, with
 * acoustic log-likelihoods scaled by 1/-ascale (20, pocketsphinx's own setting for posteriors),
 * gives each link its posterior probability P(link | audio). For a hypothesis word spanning
 * frames [sf, ef] we sum, per frame, the posteriors of the links carrying that same word and
 * covering the frame, and take the maximum over the span ("C-max"). Summing over links makes the
 * value independent of how silence alignments split the mass; grammar alternatives over the same
 * frames ("yes" vs "no", "book" vs "order") take mass away from it. The utterance confidence is
 * the smallest word confidence. It measures how clearly the audio picked one of the grammar's
 * alternatives; it does not detect speech outside the grammar (that can still score high).
 *
 * Why not the library's numbers. In this release (5prealpha) the grammar search never runs its
 * bestpath pass, so ps_get_prob() returns 0 (probability 1.0) for every grammar result. Running
 * ps_lattice_bestpath()/ps_lattice_posterior() by hand is not reliable either: the grammar
 * lattice scores each link into its artificial end node with the best score of the source
 * node's shortest exit, so the path "silence for the whole utterance" can outscore the words
 * and posteriors swing between 0 and 1 with inaudible differences in the input. Our pass stops
 * at the last frame of the hypothesis' last word and never uses those end links.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sphinxbase/cmd_ln.h>
#include <sphinxbase/logmath.h>

#include "ps-confidence.h"

/* Copy `src` without an alternate-pronunciation suffix "(2)". */
static void base_word(char *dst, size_t cap, const char *src) {
    size_t i;
    for (i = 0; i + 1 < cap && src[i] && src[i] != '('; i++) dst[i] = src[i];
    dst[i] = '\0';
}

/* Silence, noise, sentence markers and null transitions (no word, "(null)") carry no words. */
static int is_filler(const char *w) {
    return !w || w[0] == '\0' || w[0] == '(' || w[0] == '<' || w[0] == '[' || w[0] == '+';
}

/*
 * Grammar-search segments count frames from the start of the stream, and the best hypothesis
 * always ends at the utterance's current last frame; the lattice numbers frames from one before
 * the utterance's first segment. That gives the offset between the two numberings.
 */
void conf_collect_words(ps_decoder_t *ps, words_t *out) {
    ps_seg_t *seg;
    int i, base, last_ef = -1;
    out->n = 0;
    for (seg = ps_seg_iter(ps); seg; seg = ps_seg_next(seg)) {
        const char *w = ps_seg_word(seg);
        int sf, ef;
        ps_seg_frames(seg, &sf, &ef);
        if (ef > last_ef) last_ef = ef;
        if (is_filler(w) || out->n == MAX_WORDS) continue;
        base_word(out->w[out->n].word, sizeof out->w[0].word, w);
        out->w[out->n].sf = sf;
        out->w[out->n].ef = ef;
        out->w[out->n].conf = 0.0;
        out->n++;
    }
    base = last_ef - ps_get_n_frames(ps) + 2;
    for (i = 0; i < out->n; i++) {
        word_t *w = &out->w[i];
        w->sf = w->sf - base < 0 ? 0 : w->sf - base;
        w->ef = w->ef - base < w->sf ? w->sf : w->ef - base;
    }
}

/* ---- forward-backward over the lattice, natural logs ------------------------------------- */

typedef struct {
    ps_latlink_t *link;
    int from, to;      /* node indexes */
    int ef;            /* last frame of the source node's word on this link */
    int from_start;    /* the source node is the lattice's start node */
    double score;      /* scaled acoustic (+ grammar transition) log-likelihood of the word */
    double alpha, beta;
    char word[64];
} edge_t;

typedef struct {
    ps_latnode_t *node;
    int idx;
} node_ref_t;

static double log_add(double a, double b) {
    if (a == -INFINITY) return b;
    if (b == -INFINITY) return a;
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

static int cmp_node_ref(const void *a, const void *b) {
    const node_ref_t *x = a, *y = b;
    return x->node < y->node ? -1 : x->node > y->node;
}

/* End frame order is topological; the zero-length start node's links go first on ties. */
static int cmp_edge_ef(const void *a, const void *b) {
    const edge_t *x = a, *y = b;
    if (x->ef != y->ef) return x->ef - y->ef;
    return y->from_start - x->from_start;
}

static int node_index(const node_ref_t *refs, int n, ps_latnode_t *node) {
    node_ref_t key, *hit;
    key.node = node;
    hit = bsearch(&key, refs, (size_t)n, sizeof *refs, cmp_node_ref);
    return hit ? hit->idx : -1;
}

/* Collects the links that end at or before `cut`, sorted by end frame (a topological order). */
static edge_t *collect_edges(ps_lattice_t *dag, int cut, double ascale, int *out_n,
                             int *out_nodes, int **out_is_start) {
    logmath_t *lmath = ps_lattice_get_logmath(dag);
    ps_latnode_iter_t *it;
    node_ref_t *refs = NULL;
    edge_t *edges = NULL;
    int n_nodes = 0, n_edges = 0, cap_e = 0, i;
    int *is_start;

    for (it = ps_latnode_iter(dag); it; it = ps_latnode_iter_next(it)) {
        refs = realloc(refs, sizeof *refs * (size_t)(n_nodes + 1));
        if (!refs) exit(1);
        refs[n_nodes].node = ps_latnode_iter_node(it);
        refs[n_nodes].idx = n_nodes;
        n_nodes++;
    }
    /* Start: no entries, first frame. Other nodes without entries are unreachable. */
    is_start = calloc((size_t)(n_nodes + 1), sizeof *is_start);
    if (!is_start) exit(1);
    for (i = 0; i < n_nodes; i++)
        is_start[i] = ps_latnode_entries(refs[i].node) == NULL &&
                      ps_latnode_times(refs[i].node, NULL, NULL) == 0;
    qsort(refs, (size_t)n_nodes, sizeof *refs, cmp_node_ref);
    for (i = 0; i < n_nodes; i++) {
        ps_latlink_iter_t *li;
        for (li = ps_latnode_exits(refs[i].node); li; li = ps_latlink_iter_next(li)) {
            ps_latlink_t *link = ps_latlink_iter_link(li);
            ps_latnode_t *src, *dst = ps_latlink_nodes(link, &src);
            int16 sf;
            int32 ascr;
            edge_t *e;
            int ef = ps_latlink_times(link, &sf);
            const char *w = ps_latlink_baseword(dag, link);
            if (ef > cut) continue;
            if (n_edges == cap_e) {
                cap_e = cap_e ? cap_e * 2 : 256;
                edges = realloc(edges, sizeof *edges * (size_t)cap_e);
                if (!edges) exit(1);
            }
            e = &edges[n_edges++];
            e->link = link;
            e->from = refs[i].idx;
            e->from_start = is_start[refs[i].idx];
            e->to = node_index(refs, n_nodes, dst);
            e->ef = ef;
            ps_latlink_prob(dag, link, &ascr); /* only for the link's acoustic score */
            e->score = logmath_log_to_ln(lmath, ascr) * ascale;
            base_word(e->word, sizeof e->word, w ? w : "");
        }
    }
    free(refs);
    qsort(edges, (size_t)n_edges, sizeof *edges, cmp_edge_ef);
    *out_n = n_edges;
    *out_nodes = n_nodes;
    *out_is_start = is_start;
    return edges;
}

/* Fills alpha/beta of every edge; returns log P(audio up to `cut`), -INFINITY if unreachable. */
static double forward_backward(edge_t *edges, int n, int n_nodes, const int *is_start,
                               int cut) {
    double *in = malloc(sizeof *in * (size_t)n_nodes), *out = malloc(sizeof *out * (size_t)n_nodes);
    double norm = -INFINITY;
    int i;
    if (!in || !out) exit(1);
    for (i = 0; i < n_nodes; i++) in[i] = out[i] = -INFINITY;
    for (i = 0; i < n; i++) {
        edge_t *e = &edges[i];
        double prev = is_start[e->from] ? 0.0 : in[e->from];
        e->alpha = prev == -INFINITY ? -INFINITY : prev + e->score;
        if (e->to >= 0) in[e->to] = log_add(in[e->to], e->alpha);
        if (e->ef == cut) norm = log_add(norm, e->alpha);
    }
    for (i = n - 1; i >= 0; i--) {
        edge_t *e = &edges[i];
        if (e->ef > cut || e->to < 0) e->beta = -INFINITY;
        else e->beta = e->ef == cut ? 0.0 : out[e->to];
        if (e->beta != -INFINITY) out[e->from] = log_add(out[e->from], e->beta + e->score);
    }
    free(in);
    free(out);
    return norm;
}

double conf_score_words(ps_decoder_t *ps, words_t *words) {
    ps_lattice_t *dag;
    edge_t *edges;
    int *is_start;
    int n_edges, n_nodes, i, cut;
    double ascale, norm, minconf = 1.0;
    word_t *last;
    if (words->n == 0 || !(dag = ps_get_lattice(ps))) return 0.0;
    ascale = 1.0 / cmd_ln_float_r(ps_get_config(ps), "-ascale");
    /*
     * Cut where the last word ends. When the search's final segment runs to the last frame, the
     * lattice only has that word's end through the (mis-scored) end link: cut instead at the
     * latest end of that word the lattice does score.
     */
    last = &words->w[words->n - 1];
    edges = collect_edges(dag, last->ef, ascale, &n_edges, &n_nodes, &is_start);
    for (cut = -1, i = 0; i < n_edges; i++)
        if (edges[i].ef > cut && strcmp(edges[i].word, last->word) == 0) cut = edges[i].ef;
    norm = cut < 0 ? -INFINITY : forward_backward(edges, n_edges, n_nodes, is_start, cut);
    for (i = 0; i < words->n; i++) {
        word_t *w = &words->w[i];
        int span = w->ef - w->sf + 1, t, k;
        double best = 0.0, *acc = calloc((size_t)span, sizeof *acc);
        if (!acc) exit(1);
        for (k = 0; norm != -INFINITY && k < n_edges; k++) {
            edge_t *e = &edges[k];
            int16 lsf;
            int from, to;
            double p;
            if (strcmp(e->word, w->word) != 0 || e->alpha == -INFINITY || e->beta == -INFINITY)
                continue;
            ps_latlink_times(e->link, &lsf);
            p = exp(e->alpha + e->beta - norm);
            from = lsf > w->sf ? lsf : w->sf;
            to = e->ef < w->ef ? e->ef : w->ef;
            for (t = from; t <= to; t++) acc[t - w->sf] += p;
        }
        for (t = 0; t < span; t++)
            if (acc[t] > best) best = acc[t];
        free(acc);
        w->conf = best > 1.0 ? 1.0 : best;
        if (w->conf < minconf) minconf = w->conf;
    }
    free(edges);
    free(is_start);
    return minconf;
}
