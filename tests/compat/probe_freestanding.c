/*
 * probe_freestanding.c - the few symbols a compiler expects from a C runtime,
 * for the probe builds that have none: clang for the MSVC ABI, linked by
 * lld-link with no MSVC SDK. Built into those hosts and components only.
 */
#include <stddef.h>

/* Referenced by any object file that uses floating point. */
int _fltused = 0x9875;

/* The slot of a pure virtual method in an abstract class's own vtable. */
int __cdecl _purecall(void);
int __cdecl _purecall(void)
{
    __builtin_trap();
    return 0;
}

/* The compiler may turn struct copies and zeroing into these calls. The
 * volatile stores keep it from turning the loops back into the same calls. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n)
{
    volatile unsigned char *d = (volatile unsigned char *)dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}
void *memcpy(void *dst, const void *src, size_t n)
{
    volatile unsigned char *d = (volatile unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    while (n--)
        *d++ = *s++;
    return dst;
}
