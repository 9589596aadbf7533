/*
 * idl_fuzz.c - libFuzzer target for the IDL compiler: any bytes, as a file
 * that may also import and #include itself and a second file, must give
 * diagnostics or outputs, never a crash, a leak or a hang.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "facet_idl.h"

typedef struct fuzz_input {
    const uint8_t *data;
    size_t size;
} fuzz_input;

/* Every path reads the same bytes, so imports and includes are exercised. */
static int read_input(const char *path, char **out, size_t *out_size, const char **reason,
                      void *payload)
{
    const fuzz_input *in = payload;
    (void)path;
    *out = malloc(in->size + 1);
    if (!*out) {
        *reason = "out of memory";
        return -1;
    }
    memcpy(*out, in->data, in->size);
    *out_size = in->size;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    facet_idl_options opts = FACET_IDL_OPTIONS_INIT;
    facet_idl_result *r = NULL;
    size_t i;
    char buf[256];
    in.data = data;
    in.size = size;
    opts.read_file = read_input;
    opts.read_payload = &in;
    (void)facet_idl_compile_text(&r, "fuzz.idl", (const char *)data, size, &opts);
    for (i = 0; i < facet_idl_diag_count(r); i++)
        (void)facet_idl_diag_format(facet_idl_diag_at(r, i), buf, sizeof buf);
    facet_idl_result_free(r);
    return 0;
}
