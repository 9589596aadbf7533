/*
 * guid_fuzz.c - libFuzzer target for the GUID text form: any bytes, as a
 * string, either parse into a GUID whose formatted text parses back to the
 * same GUID, or fail with FACET_E_BADGUID and a message; never a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "facet/facet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    char formatted[FACET_GUID_STRING_SIZE];
    FacetGuid g, back;
    FacetResult r;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    r = facet_guid_parse(&g, text);
    if (FACET_FAILED(r)) {
        if (r != FACET_E_BADGUID || facet_last_error()[0] == '\0')
            abort();
        free(text);
        return 0;
    }
    /* Round trip: the canonical text names the same GUID, and it is the
     * input up to braces and case. */
    if (facet_guid_format(formatted, sizeof(formatted), &g) != FACET_OK)
        abort();
    if (facet_guid_parse(&back, formatted) != FACET_OK || memcmp(&g, &back, sizeof(g)) != 0)
        abort();
    {
        const char *core = text[0] == '{' ? text + 1 : text;
        size_t i;
        for (i = 0; i < 36; i++) {
            char a = core[i], b = formatted[i + 1];
            if (a >= 'a' && a <= 'f')
                a = (char)(a - 'a' + 'A');
            if (a != b)
                abort();
        }
    }
    free(text);
    return 0;
}
