/*
 * core/base/error.c - result names and the thread-local last error.
 *
 * One table feeds the names and descriptions of the results, so
 * facet_result_name() cannot drift from abi.h (tests/core/errors.c checks
 * that every FACET_E_ code in abi.h has a row here).
 */
#include <stdio.h>
#include <string.h>

#include "base.h"

#define FACET_RESULT_MAP(XX)                                                          \
    XX(FACET_OK, "success")                                                           \
    XX(FACET_FALSE, "success, with a negative answer")                                \
    XX(FACET_E_NOTIMPL, "not implemented")                                            \
    XX(FACET_E_NOINTERFACE, "no such interface")                                      \
    XX(FACET_E_POINTER, "a required pointer is NULL")                                 \
    XX(FACET_E_ABORT, "the operation was aborted")                                    \
    XX(FACET_E_FAIL, "unspecified failure")                                           \
    XX(FACET_E_UNEXPECTED, "unexpected failure")                                      \
    XX(FACET_E_OUTOFMEMORY, "out of memory")                                          \
    XX(FACET_E_INVALIDARG, "an argument is not valid")                                \
    XX(FACET_E_ACCESSDENIED, "access denied")                                         \
    XX(FACET_E_FILENOTFOUND, "no such file")                                          \
    XX(FACET_E_NOTFOUND, "not found")                                                 \
    XX(FACET_E_NOAGGREGATION, "the class cannot be aggregated")                       \
    XX(FACET_E_CLASSNOTREG, "no such class is registered")                            \
    XX(FACET_E_BADGUID, "not a GUID")                                                 \
    XX(FACET_E_DISCONNECTED, "the object is disconnected from its clients")           \
    XX(FACET_E_WRONGTHREAD, "called from a thread the object does not allow")         \
    XX(FACET_E_NOTAFILE, "not a regular file")                                        \
    XX(FACET_E_EMPTYFILE, "the file is empty")                                        \
    XX(FACET_E_NOTLIBRARY, "not a shared library")                                    \
    XX(FACET_E_TRUNCATED, "the library file is truncated")                            \
    XX(FACET_E_WRONGARCH, "the library is built for another machine")                 \
    XX(FACET_E_LOADFAILED, "the system loader refused the library")                   \
    XX(FACET_E_NOENTRY, "the library has no facet_module_entry")                      \
    XX(FACET_E_ABIMISMATCH, "host and module ABI versions differ")                    \
    XX(FACET_E_CONTRACT, "a module broke a rule of the ABI")                          \
    XX(FACET_E_STRUCTSIZE, "a struct_size is too small")                              \
    XX(FACET_E_CONFLICT, "two modules claim the same class or name")                  \
    XX(FACET_E_APILEVEL, "the module needs a newer host API level")                   \
    XX(FACET_E_VERSION, "no version satisfies every requirement")                     \
    XX(FACET_E_BADMANIFEST, "the manifest cannot be used")                            \
    XX(FACET_E_MISMATCH, "the module and its manifest disagree")                      \
    XX(FACET_E_BADCONFIG, "the host configuration cannot be used")                    \
    XX(FACET_E_CYCLE, "a dependency or alias cycle")                                  \
    XX(FACET_E_BUSY, "objects are still alive")                                       \
    XX(FACET_E_STATE, "not allowed in the current lifecycle state")                   \
    XX(FACET_E_TIMEOUT, "timed out")                                                  \
    XX(FACET_E_CRASHED, "the other side crashed")

const char *facet_result_name(FacetResult result)
{
    switch (result) {
#define XX(code, text) \
    case code:         \
        return #code;
        FACET_RESULT_MAP(XX)
#undef XX
    default:
        return FACET_SUCCEEDED(result) ? "FACET_S_UNKNOWN" : "FACET_E_UNKNOWN";
    }
}

const char *facet_result_description(FacetResult result)
{
    switch (result) {
#define XX(code, text) \
    case code:         \
        return text;
        FACET_RESULT_MAP(XX)
#undef XX
    default:
        return FACET_SUCCEEDED(result) ? "an unknown success code" : "an unknown failure code";
    }
}

/* A fixed buffer per thread: reporting an error must not need memory. */
#define FACET_ERROR_SIZE 2048

typedef struct FacetErrorState {
    FacetResult code;
    char message[FACET_ERROR_SIZE];
} FacetErrorState;

static FACET_THREAD_LOCAL FacetErrorState error_state;

FacetResult facet__verror(FacetResult code, const char *fmt, va_list ap)
{
    int n = vsnprintf(error_state.message, sizeof(error_state.message), fmt, ap);
    if (n < 0)
        snprintf(error_state.message, sizeof(error_state.message), "%s",
                 facet_result_description(code));
    error_state.code = code;
    return code;
}

FacetResult facet__error(FacetResult code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    facet__verror(code, fmt, ap);
    va_end(ap);
    return code;
}

FacetResult facet__error_prefix(const char *fmt, ...)
{
    char old[FACET_ERROR_SIZE];
    size_t used, rest;
    int n;
    va_list ap;
    memcpy(old, error_state.message, sizeof(old));
    va_start(ap, fmt);
    n = vsnprintf(error_state.message, sizeof(error_state.message), fmt, ap);
    va_end(ap);
    used = n < 0 ? 0 : (size_t)n < sizeof(old) ? (size_t)n : sizeof(old) - 1;
    rest = sizeof(old) - 1 - used;
    if (rest >= 2) {
        memcpy(error_state.message + used, ": ", 2);
        used += 2;
        rest -= 2;
        n = (int)strlen(old);
        if ((size_t)n > rest)
            n = (int)rest;
        memcpy(error_state.message + used, old, (size_t)n);
        used += (size_t)n;
    }
    error_state.message[used] = '\0';
    return error_state.code;
}

void facet__cycle_text(char *out, size_t size, uint32_t count,
                       const char *(*name)(const void *list, uint32_t i), const void *list)
{
    size_t used = 0;
    uint32_t i;
    out[0] = '\0';
    for (i = 0; i < count && used < size; i++) {
        int n;
        if (count > 12 && i == 8) {
            n = snprintf(out + used, size - used, "... (%u more) -> ", (unsigned)(count - 12));
            i = count - 5;
        } else {
            n = snprintf(out + used, size - used, "%s -> ", name(list, i));
        }
        used += n > 0 ? (size_t)n : 0;
    }
    if (used < size && count > 0)
        snprintf(out + used, size - used, "%s", name(list, 0));
}

const char *facet_last_error(void)
{
    return error_state.message;
}

FacetResult facet_last_error_code(void)
{
    return error_state.code;
}

void facet_error_clear(void)
{
    error_state.code = FACET_OK;
    error_state.message[0] = '\0';
}
