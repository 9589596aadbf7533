/*
 * compile.c - one compilation, from the text to the outputs: the library's
 * API (facet_idl.h).
 *
 * The front end parses the file and what it imports (front/), sema checks
 * each file as the front end completes it (sema/), and when no file has an
 * error the emitters write the outputs (emit/). Everything the compilation
 * allocates comes from the caller's allocator; what the caller keeps (the
 * diagnostics, the outputs, the interfaces) lives in the result's arena,
 * the rest goes with the compilation's.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "emit/emit.h"
#include "front/front.h"
#include "sema/sema.h"

/* The outputs of a compilation for each language (facet_idl_options.lang),
 * in the order facet_idl_output_at gives them: X.h first, then the C type
 * info and the proxies and stubs, or the Go package. */
static const idl_emitter c_outputs[] = {
    {"%s.h", facet_idl__emit_header},
    {"%s_typeinfo.c", facet_idl__emit_typeinfo},
    {"%s_ps.c", facet_idl__emit_proxy},
};
static const idl_emitter go_outputs[] = {
    {"%s.h", facet_idl__emit_header},
    {"%s.go", facet_idl__emit_go},
    {"%s_export.go", facet_idl__emit_go_export},
    {"%s_glue.c", facet_idl__emit_go_glue},
};
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
static const idl_emitter manifest_outputs[] = {
    {"%s_classes.json", facet_idl__emit_classes},
};
#define MAX_OUTPUTS COUNT_OF(go_outputs)

struct facet_idl_result {
    facet_idl_allocator allocator; /* a copy of the one it was allocated with */
    idl_mem mem;                   /* over allocator */
    idl_arena *arena;              /* what the caller reads */
    idl_diags diags;
    facet_idl_output outputs[MAX_OUTPUTS];
    size_t output_count;
    facet_idl_interface *itfs; /* in arena */
    size_t itf_count;
};

typedef struct compilation {
    idl_ctx c;
    idl_sema sema;
    facet_idl_result *result;
} compilation;

/* Keeps each interface with a uuid for facet_idl_interface_at. */
static void keep_interfaces(compilation *k)
{
    idl_ctx *c = &k->c;
    facet_idl_result *r = k->result;
    const idl_vec *iids = &k->sema.iids;
    size_t i;
    r->itfs = facet_idl__alloc(r->arena, (iids->count ? iids->count : 1) * sizeof(*r->itfs));
    if (!r->itfs) {
        c->out_of_memory = 1;
        return;
    }
    for (i = 0; i < iids->count; i++) {
        const idl_decl *d = iids->items[i];
        facet_idl_interface *itf = &r->itfs[r->itf_count];
        char text[IDL_GUID_TEXT];
        facet_idl__guid_text(text, d->guid);
        itf->name = facet_idl__strdup(r->arena, facet_idl__decl_c_name(d));
        itf->iid = facet_idl__strdup(r->arena, text);
        itf->file = facet_idl__strdup(r->arena, d->file && d->file->path ? d->file->path : "");
        if (!itf->name || !itf->iid || !itf->file) {
            c->out_of_memory = 1;
            return;
        }
        r->itf_count++;
    }
}

/* The front end's news of each file parsed: sema checks it. */
static void check_parsed(idl_file *f, void *payload)
{
    facet_idl__check_file(payload, f);
}

static void parse(compilation *k, idl_file *f)
{
    k->c.main_file = f;
    if (f)
        facet_idl__parse(&k->c, f, check_parsed, &k->sema);
}

static int finish(compilation *k, facet_idl_result **out)
{
    idl_ctx *c = &k->c;
    facet_idl_result *r = k->result;
    idl_file *main_file = c->main_file;
    uint32_t lang = c->options.lang;
    const idl_emitter *outputs = lang == FACET_IDL_LANG_GO         ? go_outputs
                                 : lang == FACET_IDL_LANG_MANIFEST ? manifest_outputs
                                                                   : c_outputs;
    size_t count = lang == FACET_IDL_LANG_GO         ? COUNT_OF(go_outputs)
                   : lang == FACET_IDL_LANG_MANIFEST ? COUNT_OF(manifest_outputs)
                                                     : COUNT_OF(c_outputs);
    idl_buf bufs[MAX_OUTPUTS];
    size_t i;
    for (i = 0; i < count; i++)
        facet_idl__buf_init(&bufs[i], c->mem);
    if (main_file && !facet_idl__failed(c))
        facet_idl__check_done(&k->sema);
    if (main_file && !facet_idl__failed(c)) {
        for (i = 0; i < count; i++) {
            outputs[i].emit(&k->sema, main_file, &bufs[i]);
            if (bufs[i].failed)
                c->out_of_memory = 1;
        }
    }
    if (!facet_idl__failed(c) && main_file) {
        for (i = 0; i < count; i++) {
            r->outputs[i].name = facet_idl__printf(r->arena, outputs[i].name, main_file->stem);
            r->outputs[i].data = facet_idl__strndup(r->arena, bufs[i].data ? bufs[i].data : "",
                                                    bufs[i].len);
            r->outputs[i].size = bufs[i].len;
            if (!r->outputs[i].name || !r->outputs[i].data)
                c->out_of_memory = 1;
        }
        r->output_count = c->out_of_memory ? 0 : count;
        keep_interfaces(k);
    }
    for (i = 0; i < count; i++)
        facet_idl__buf_free(&bufs[i]);
    /* An allocation that failed anywhere, checked or not, fails the whole. */
    if (c->mem->failed)
        c->out_of_memory = 1;
    facet_idl__arena_free(c->arena);
    if (c->out_of_memory) {
        facet_idl_result_free(r);
        *out = NULL;
        return -1;
    }
    *out = r;
    return r->diags.errors ? 1 : 0;
}

static int start(compilation *k, const facet_idl_options *options, facet_idl_result **out)
{
    static const facet_idl_options defaults = FACET_IDL_OPTIONS_INIT;
    idl_ctx *c = &k->c;
    idl_mem first;
    facet_idl_result *r;
    memset(k, 0, sizeof(*k));
    *out = NULL;
    /* Read the caller's options only as far as its struct_size says. */
    c->options = defaults;
    if (options && options->struct_size > sizeof(uint32_t))
        memcpy(&c->options, options,
               options->struct_size < sizeof(c->options) ? options->struct_size
                                                         : sizeof(c->options));
    c->options.struct_size = sizeof(c->options);
    first.allocator = c->options.allocator ? c->options.allocator : &facet_idl__malloc_allocator;
    first.failed = 0;
    r = facet_idl__malloc(&first, sizeof(facet_idl_result));
    if (!r)
        return -1;
    /* The result outlives the caller's struct: everything uses its copy. */
    memset(r, 0, sizeof(*r));
    r->allocator = *first.allocator;
    r->mem.allocator = &r->allocator;
    k->result = r;
    c->mem = &r->mem;
    r->arena = facet_idl__arena_new(c->mem);
    r->diags.arena = r->arena;
    c->diags = &r->diags;
    c->arena = facet_idl__arena_new(c->mem);
    if (!r->arena || !c->arena) {
        facet_idl__arena_free(c->arena);
        facet_idl_result_free(r);
        return -1;
    }
    facet_idl__sema_init(&k->sema, c);
    return 0;
}

int facet_idl_compile_text(facet_idl_result **out, const char *name, const char *text,
                           size_t size, const facet_idl_options *options)
{
    compilation k;
    if (!out)
        return -1;
    if (start(&k, options, out) != 0)
        return -1;
    parse(&k, facet_idl__file_new(&k.c, name ? name : "input.idl", text ? text : "",
                                  text ? size : 0));
    return finish(&k, out);
}

int facet_idl_compile(facet_idl_result **out, const char *path,
                      const facet_idl_options *options)
{
    compilation k;
    if (!out)
        return -1;
    if (start(&k, options, out) != 0)
        return -1;
    parse(&k, facet_idl__file_read(&k.c, path));
    return finish(&k, out);
}

size_t facet_idl_diag_count(const facet_idl_result *r)
{
    return r ? r->diags.count : 0;
}

const facet_idl_diag *facet_idl_diag_at(const facet_idl_result *r, size_t i)
{
    return r && i < r->diags.count ? &r->diags.items[i] : NULL;
}

size_t facet_idl_error_count(const facet_idl_result *r)
{
    return r ? r->diags.errors : 0;
}

size_t facet_idl_output_count(const facet_idl_result *r)
{
    return r ? r->output_count : 0;
}

const facet_idl_output *facet_idl_output_at(const facet_idl_result *r, size_t i)
{
    return r && i < r->output_count ? &r->outputs[i] : NULL;
}

size_t facet_idl_interface_count(const facet_idl_result *r)
{
    return r ? r->itf_count : 0;
}

const facet_idl_interface *facet_idl_interface_at(const facet_idl_result *r, size_t i)
{
    return r && i < r->itf_count ? &r->itfs[i] : NULL;
}

void facet_idl_result_free(facet_idl_result *r)
{
    facet_idl_allocator allocator;
    idl_mem mem;
    if (!r)
        return;
    /* r holds the allocator that frees it: free r with a copy */
    allocator = r->allocator;
    mem.allocator = &allocator;
    mem.failed = 0;
    facet_idl__arena_free(r->arena);
    facet_idl__free(&r->mem, r->diags.items);
    facet_idl__free(&mem, r);
}
