/*
 * probe_os.h - the little a probe host needs from its platform: load a
 * library, write to stdout, allocate memory, and (on 32-bit x86 Windows)
 * call a function while measuring the stack pointer. probe_os_posix.c and
 * probe_os_win32.c implement it; the Windows one needs only kernel32, so a
 * host built freestanding for the MSVC ABI has no C runtime at all.
 */
#ifndef FACET_PROBE_OS_H
#define FACET_PROBE_OS_H

#include <stddef.h>
#include <stdint.h>

/* Opens the library at path; on failure returns NULL and writes why to err. */
void *probe_os_open(const char *path, char *err, uint32_t err_size);
void *probe_os_sym(void *lib, const char *name);
void probe_os_close(void *lib);

void probe_os_write(const char *text, uint32_t length);

void *probe_os_alloc(uint64_t size);
void *probe_os_realloc(void *p, uint64_t size);
void probe_os_free(void *p);

/* The host's own program: argv[1] is the component library. */
int probe_host_main(int argc, char **argv);

#if defined(_WIN32) && (defined(__i386__) || defined(_M_IX86))
#define PROBE_MEASURE_STACK 1
/* Pushes words[n-1] .. words[0], calls fn, and stores in *drift how far the
 * stack pointer is from where it was before the pushes (0 for a __stdcall
 * callee, which pops its own arguments; -4n for a __cdecl one). The stack
 * pointer is put back either way. Returns what fn left in eax. */
uint32_t probe_stack_call(const void *fn, const uint32_t *words, uint32_t n, int32_t *drift);
#else
#define PROBE_MEASURE_STACK 0
#endif

#endif /* FACET_PROBE_OS_H */
