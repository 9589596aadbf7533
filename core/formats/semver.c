/*
 * core/formats/semver.c - SemVer 2.0.0 versions (https://semver.org) and version
 * ranges in the syntax npm and Cargo users know.
 *
 * Range grammar (node-semver's, plus Cargo's comma):
 *   range      = set ( "||" set )*
 *   set        = hyphen | comparator ( [","] comparator )*
 *   hyphen     = partial " - " partial
 *   comparator = [ "=" | "<" | "<=" | ">" | ">=" | "^" | "~" ] partial
 *   partial    = "*" | "x" | N [ "." (N|"x"|"*") [ "." (N|"x"|"*") [ "-" pre ] [ "+" build ] ] ]
 * Each set desugars to at most two primitive comparators (>=, >, <, <=, =).
 * As in npm, a bare version means exactly that version ("1.2.3" is "=1.2.3";
 * Cargo users write "^1.2.3"), and a pre-release version satisfies a set only
 * when one of its comparators names the same major.minor.patch with a
 * pre-release.
 */
#include <string.h>

#include "formats.h"

#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IS_IDENT(c) (IS_DIGIT(c) || ((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || (c) == '-')

static FacetResult bad(const char *what, const char *text, const char *at, const char *expected)
{
    return facet__error(FACET_E_INVALIDARG, "%s \"%.80s\": at column %u, expected %s", what, text,
                        (unsigned)(at - text) + 1, expected);
}

/* A number too large to hold: SemVer sets no limit, and this reads 64 bits. */
static FacetResult too_large(const char *what, const char *text, const char *at,
                             const char *part)
{
    return facet__error(FACET_E_INVALIDARG,
                        "%s \"%.80s\": at column %u, the %s is larger than "
                        "18446744073709551615, the largest number a version may have here",
                        what, text, (unsigned)(at - text) + 1, part);
}

/* Reads a numeric part: no leading zero, no overflow. NULL when there is
 * none; *overflow is then 1 when there were digits, too many of them. */
static const char *read_number(uint64_t *out, const char *p, int *overflow)
{
    uint64_t v = 0;
    *overflow = 0;
    if (!IS_DIGIT(*p))
        return NULL;
    if (*p == '0' && IS_DIGIT(p[1]))
        return NULL;
    while (IS_DIGIT(*p)) {
        if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
            *overflow = 1;
            return NULL;
        }
        v = v * 10 + (uint64_t)(*p - '0');
        p++;
    }
    *out = v;
    return p;
}

/* Reads dot-separated identifiers; numeric ones without leading zeros when
 * strict_numeric (pre-release), any when not (build metadata). */
static const char *read_idents(const char *p, int strict_numeric)
{
    for (;;) {
        const char *start = p;
        int numeric = 1;
        while (IS_IDENT(*p)) {
            if (!IS_DIGIT(*p))
                numeric = 0;
            p++;
        }
        if (p == start)
            return NULL;
        if (strict_numeric && numeric && *start == '0' && p - start > 1)
            return NULL;
        if (*p != '.')
            return p;
        p++;
    }
}

/* Parses a full version at p; *end is where it stopped. */
static FacetResult parse_at(FacetSemver *out, const char *text, const char *p, const char **end,
                            const char *what)
{
    const char *q;
    int overflow;
    memset(out, 0, sizeof(*out));
    if ((q = read_number(&out->major, p, &overflow)) == NULL)
        return overflow ? too_large(what, text, p, "major version number")
                        : bad(what, text, p, "a major version number (digits, no leading zero)");
    if (*q != '.')
        return bad(what, text, q, "'.' and a minor version number (MAJOR.MINOR.PATCH)");
    if ((p = read_number(&out->minor, q + 1, &overflow)) == NULL)
        return overflow ? too_large(what, text, q + 1, "minor version number")
                        : bad(what, text, q + 1, "a minor version number (digits, no leading zero)");
    if (*p != '.')
        return bad(what, text, p, "'.' and a patch number (MAJOR.MINOR.PATCH)");
    if ((q = read_number(&out->patch, p + 1, &overflow)) == NULL)
        return overflow ? too_large(what, text, p + 1, "patch number")
                        : bad(what, text, p + 1, "a patch number (digits, no leading zero)");
    if (*q == '-') {
        p = read_idents(q + 1, 1);
        if (p == NULL)
            return bad(what, text, q + 1,
                       "pre-release identifiers ([0-9A-Za-z-], dot-separated, numeric ones "
                       "without leading zeros)");
        out->pre = q + 1;
        out->pre_len = (uint32_t)(p - q - 1);
        q = p;
    }
    if (*q == '+') {
        p = read_idents(q + 1, 0);
        if (p == NULL)
            return bad(what, text, q + 1, "build identifiers ([0-9A-Za-z-], dot-separated)");
        q = p;
    }
    *end = q;
    return FACET_OK;
}

FacetResult facet__semver_parse(FacetSemver *out, const char *text)
{
    const char *end = text;
    FacetResult r = parse_at(out, text, text, &end, "version");
    if (FACET_FAILED(r))
        return r;
    if (*end != '\0')
        return bad("version", text, end, "the end of the version");
    return FACET_OK;
}

/* One pre-release identifier against another, per SemVer 11.4. */
static int compare_ident(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i;
    int a_num = 1, b_num = 1;
    for (i = 0; i < an; i++)
        a_num &= IS_DIGIT(a[i]);
    for (i = 0; i < bn; i++)
        b_num &= IS_DIGIT(b[i]);
    if (a_num && b_num) {
        if (an != bn)
            return an < bn ? -1 : 1;
        return memcmp(a, b, an) < 0 ? -1 : memcmp(a, b, an) > 0;
    }
    if (a_num != b_num)
        return a_num ? -1 : 1;
    i = an < bn ? an : bn;
    if (memcmp(a, b, i) != 0)
        return memcmp(a, b, i) < 0 ? -1 : 1;
    return an == bn ? 0 : an < bn ? -1 : 1;
}

static int compare_pre(const FacetSemver *a, const FacetSemver *b)
{
    const char *pa = a->pre, *pb = b->pre, *ea = a->pre + a->pre_len, *eb = b->pre + b->pre_len;
    if (a->pre_len == 0 || b->pre_len == 0)
        return a->pre_len == b->pre_len ? 0 : a->pre_len == 0 ? 1 : -1;
    while (pa < ea && pb < eb) {
        const char *na = memchr(pa, '.', (size_t)(ea - pa)), *nb = memchr(pb, '.', (size_t)(eb - pb));
        int c;
        if (na == NULL)
            na = ea;
        if (nb == NULL)
            nb = eb;
        c = compare_ident(pa, (size_t)(na - pa), pb, (size_t)(nb - pb));
        if (c != 0)
            return c;
        pa = na < ea ? na + 1 : ea;
        pb = nb < eb ? nb + 1 : eb;
    }
    return pa < ea ? 1 : pb < eb ? -1 : 0;
}

int facet__semver_compare(const FacetSemver *a, const FacetSemver *b)
{
    if (a->major != b->major)
        return a->major < b->major ? -1 : 1;
    if (a->minor != b->minor)
        return a->minor < b->minor ? -1 : 1;
    if (a->patch != b->patch)
        return a->patch < b->patch ? -1 : 1;
    return compare_pre(a, b);
}

/* ---- Ranges ------------------------------------------------------------ */

#define OP_EQ 0u
#define OP_GT 1u
#define OP_GE 2u
#define OP_LT 3u
#define OP_LE 4u

typedef struct Partial {
    FacetSemver v;
    uint32_t parts; /* how many of major, minor, patch were given as numbers */
} Partial;

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static int is_wild(const char *p)
{
    return *p == 'x' || *p == 'X' || *p == '*';
}

static FacetResult parse_partial(Partial *out, const char *text, const char *p, const char **end)
{
    uint64_t *slot[3];
    const char *q;
    int overflow;
    memset(out, 0, sizeof(*out));
    slot[0] = &out->v.major;
    slot[1] = &out->v.minor;
    slot[2] = &out->v.patch;
    if (*p == 'v' || *p == 'V')
        p++;
    for (;;) {
        if (is_wild(p)) {
            p++;
            /* anything after a wildcard is wild too: 1.x.x, 1.*.3 */
            while (*p == '.' && (is_wild(p + 1) || IS_DIGIT(p[1]))) {
                p += 2;
                while (IS_DIGIT(*p))
                    p++;
            }
            break;
        }
        if ((q = read_number(slot[out->parts], p, &overflow)) == NULL)
            return overflow ? too_large("version range", text, p, "version number")
                            : bad("version range", text, p,
                                  "a version number, 'x' or '*' (digits, no leading zero)");
        p = q;
        out->parts++;
        if (out->parts == 3 || *p != '.')
            break;
        p++;
    }
    if (out->parts == 3 && *p == '-') {
        q = read_idents(p + 1, 1);
        if (q == NULL)
            return bad("version range", text, p + 1, "pre-release identifiers");
        out->v.pre = p + 1;
        out->v.pre_len = (uint32_t)(q - p - 1);
        p = q;
    }
    if (out->parts == 3 && *p == '+') {
        q = read_idents(p + 1, 0);
        if (q == NULL)
            return bad("version range", text, p + 1, "build identifiers");
        p = q;
    }
    *end = p;
    return FACET_OK;
}

/* The first version past a partial, whose part at may not change:
 * 1 -> 2.0.0-0, 1.2 -> 1.3.0-0. A part at its largest carries into the one
 * before (1.18446744073709551615 -> 2.0.0-0). 0 when no version is past
 * it: the partial covers the last versions there can be. */
static int bump(FacetSemver *out, const Partial *pa, uint32_t at)
{
    uint64_t part[3];
    uint32_t i;
    part[0] = pa->v.major;
    part[1] = pa->v.minor;
    part[2] = pa->v.patch;
    for (i = at + 1; i < 3; i++)
        part[i] = 0;
    while (part[at] == UINT64_MAX) {
        part[at] = 0;
        if (at-- == 0)
            return 0;
    }
    part[at]++;
    memset(out, 0, sizeof(*out));
    out->major = part[0];
    out->minor = part[1];
    out->patch = part[2];
    out->pre = "0";
    out->pre_len = 1;
    return 1;
}

static FacetResult add(FacetVersionSet *set, uint32_t op, FacetSemver v)
{
    if (set->count == FACET_SEMVER_MAX_COMPARATORS)
        return facet__error(FACET_E_INVALIDARG, "version range: more than %u comparators in one set",
                            (unsigned)FACET_SEMVER_MAX_COMPARATORS);
    set->ops[set->count] = op;
    set->versions[set->count] = v;
    set->count++;
    return FACET_OK;
}

/* "Below the first version past pa": no bound at all when there is none. */
static FacetResult add_below_next(FacetVersionSet *set, const Partial *pa, uint32_t at)
{
    FacetSemver next;
    return bump(&next, pa, at) ? add(set, OP_LT, next) : FACET_OK;
}

/* "From the first version past pa": nothing at all when there is none
 * (0.0.0-0 is the lowest version, and nothing is below it). */
static FacetResult add_from_next(FacetVersionSet *set, const Partial *pa, uint32_t at)
{
    static const FacetSemver lowest = {0, 0, 0, "0", 1};
    FacetSemver next;
    return bump(&next, pa, at) ? add(set, OP_GE, next) : add(set, OP_LT, lowest);
}

/* The lower bound of a partial, 1.2 -> 1.2.0. */
static FacetSemver floor_of(const Partial *pa)
{
    FacetSemver v = pa->v;
    if (pa->parts < 3)
        v.pre = NULL, v.pre_len = 0;
    return v;
}

static FacetResult add_comparator(FacetVersionSet *set, const char *op, size_t op_len,
                                  const Partial *pa)
{
    FacetResult r = FACET_OK;
    FacetSemver lo = floor_of(pa);
    if (op_len == 0 || (op_len == 1 && op[0] == '=')) {
        if (pa->parts == 3)
            return add(set, OP_EQ, lo);
        if (pa->parts == 0)
            return add(set, OP_GE, lo);
        r = add(set, OP_GE, lo);
        return FACET_FAILED(r) ? r : add_below_next(set, pa, pa->parts - 1);
    }
    if (op[0] == '^') {
        uint32_t at = 0; /* the first non-zero part given is the one that may not change */
        if (pa->parts == 0)
            return add(set, OP_GE, lo);
        if (pa->v.major == 0 && pa->parts >= 2) {
            at = 1;
            if (pa->v.minor == 0 && pa->parts == 3)
                at = 2;
        }
        r = add(set, OP_GE, lo);
        return FACET_FAILED(r) ? r : add_below_next(set, pa, at);
    }
    if (op[0] == '~') {
        if (pa->parts == 0)
            return add(set, OP_GE, lo);
        r = add(set, OP_GE, lo);
        return FACET_FAILED(r) ? r : add_below_next(set, pa, pa->parts == 1 ? 0 : 1);
    }
    if (op[0] == '>') {
        if (op_len == 2) /* >= */
            return add(set, OP_GE, lo);
        if (pa->parts == 0) /* >* matches nothing */
            return add(set, OP_LT, lo);
        return pa->parts == 3 ? add(set, OP_GT, lo) : add_from_next(set, pa, pa->parts - 1);
    }
    /* < and <= */
    if (pa->parts == 0)
        return op_len == 2 ? add(set, OP_GE, lo) : add(set, OP_LT, lo);
    if (op_len == 2)
        return pa->parts == 3 ? add(set, OP_LE, lo) : add_below_next(set, pa, pa->parts - 1);
    if (pa->parts < 3) {
        lo.pre = "0";
        lo.pre_len = 1;
    }
    return add(set, OP_LT, lo);
}

static FacetResult parse_set(FacetVersionSet *set, const char *text, const char *p,
                             const char **end)
{
    Partial a, b;
    FacetResult r;
    memset(set, 0, sizeof(*set));
    p = skip_space(p);
    if (*p == '\0' || (p[0] == '|' && p[1] == '|')) /* an empty set is "*" */
        return *end = p, add(set, OP_GE, floor_of(&(Partial){{0, 0, 0, NULL, 0}, 0}));
    while (*p != '\0' && !(p[0] == '|' && p[1] == '|')) {
        const char *op = p;
        size_t op_len = 0;
        if (*p == '^' || *p == '~' || *p == '=') {
            op_len = 1;
            if (p[0] == '~' && p[1] == '>') /* Ruby's ~> as ~ */
                op_len = 2;
        } else if (*p == '<' || *p == '>') {
            op_len = p[1] == '=' ? 2 : 1;
        }
        p = skip_space(p + op_len);
        if (op_len == 2 && op[0] == '~')
            op_len = 1;
        r = parse_partial(&a, text, p, &p);
        if (FACET_FAILED(r))
            return r;
        if (*p != '\0' && *p != ' ' && *p != '\t' && *p != ',' && *p != '|')
            return bad("version range", text, p, "a space, ',', '||' or the end after a version");
        p = skip_space(p);
        if (op_len == 0 && p[0] == '-' && (p[1] == ' ' || p[1] == '\t')) {
            p = skip_space(p + 1);
            r = parse_partial(&b, text, p, &p);
            if (FACET_FAILED(r))
                return r;
            r = add(set, OP_GE, floor_of(&a));
            if (FACET_SUCCEEDED(r) && b.parts > 0)
                r = add_comparator(set, "<=", 2, &b);
            if (FACET_FAILED(r))
                return r;
            p = skip_space(p);
        } else {
            r = add_comparator(set, op, op_len, &a);
            if (FACET_FAILED(r))
                return r;
        }
        if (*p == ',')
            p = skip_space(p + 1);
    }
    *end = p;
    return FACET_OK;
}

FacetResult facet__range_parse(FacetVersionRange *out, const char *text)
{
    const char *p = text;
    FacetResult r;
    out->count = 0; /* each set is cleared as it is parsed */
    for (;;) {
        if (out->count == FACET_SEMVER_MAX_SETS)
            return facet__error(FACET_E_INVALIDARG, "version range \"%.80s\": more than %u '||' alternatives",
                                text, (unsigned)FACET_SEMVER_MAX_SETS);
        r = parse_set(&out->sets[out->count], text, p, &p);
        if (FACET_FAILED(r))
            return r;
        out->count++;
        if (*p == '\0')
            return FACET_OK;
        p += 2; /* "||" */
    }
}

static int test_one(uint32_t op, const FacetSemver *v, const FacetSemver *bound)
{
    int c = facet__semver_compare(v, bound);
    switch (op) {
    case OP_EQ: return c == 0;
    case OP_GT: return c > 0;
    case OP_GE: return c >= 0;
    case OP_LT: return c < 0;
    default: return c <= 0;
    }
}

static int set_satisfied(const FacetVersionSet *set, const FacetSemver *v)
{
    uint32_t i;
    for (i = 0; i < set->count; i++)
        if (!test_one(set->ops[i], v, &set->versions[i]))
            return 0;
    if (v->pre_len == 0)
        return 1;
    /* A pre-release only where a comparator of the set invites it. */
    for (i = 0; i < set->count; i++) {
        const FacetSemver *b = &set->versions[i];
        if (b->pre_len != 0 && !(b->pre_len == 1 && b->pre[0] == '0' && set->ops[i] == OP_LT) &&
            b->major == v->major && b->minor == v->minor && b->patch == v->patch)
            return 1;
    }
    return 0;
}

int facet__range_satisfied(const FacetVersionRange *range, const FacetSemver *v)
{
    uint32_t i;
    for (i = 0; i < range->count; i++)
        if (set_satisfied(&range->sets[i], v))
            return 1;
    return 0;
}

/* ---- Public ------------------------------------------------------------ */

FacetResult facet_version_parse(const char *text)
{
    FacetSemver v;
    FACET_CHECK_ARG(text, "facet_version_parse");
    return facet__semver_parse(&v, text);
}

FacetResult facet_version_compare(int32_t *out, const char *a, const char *b)
{
    FacetSemver va, vb;
    FacetResult r;
    FACET_CHECK_ARG(out, "facet_version_compare");
    *out = 0;
    FACET_CHECK_ARG(a, "facet_version_compare");
    FACET_CHECK_ARG(b, "facet_version_compare");
    r = facet__semver_parse(&va, a);
    if (FACET_SUCCEEDED(r))
        r = facet__semver_parse(&vb, b);
    if (FACET_FAILED(r))
        return r;
    *out = facet__semver_compare(&va, &vb);
    return FACET_OK;
}

FacetResult facet_version_satisfies(const char *version, const char *range)
{
    FacetSemver v;
    FacetVersionRange rg;
    FacetResult r;
    FACET_CHECK_ARG(version, "facet_version_satisfies");
    FACET_CHECK_ARG(range, "facet_version_satisfies");
    r = facet__semver_parse(&v, version);
    if (FACET_SUCCEEDED(r))
        r = facet__range_parse(&rg, range);
    if (FACET_FAILED(r))
        return r;
    return facet__range_satisfied(&rg, &v) ? FACET_OK : FACET_FALSE;
}
