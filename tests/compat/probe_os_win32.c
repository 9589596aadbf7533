/*
 * probe_os_win32.c - probe_os.h for Windows, on kernel32 alone. It declares
 * the few functions it calls itself instead of including <windows.h>, so it
 * builds with MinGW and with clang for the MSVC ABI without any SDK. Built
 * with -DPROBE_FREESTANDING (and probe_freestanding.c) it supplies the
 * process entry point itself and needs no C runtime.
 */
#include "probe_os.h"

#define PROBE_IMPORT __declspec(dllimport)
#define PROBE_WINAPI __stdcall

PROBE_IMPORT void *PROBE_WINAPI LoadLibraryA(const char *name);
PROBE_IMPORT void *PROBE_WINAPI GetProcAddress(void *module, const char *name);
PROBE_IMPORT int PROBE_WINAPI FreeLibrary(void *module);
PROBE_IMPORT void *PROBE_WINAPI GetStdHandle(uint32_t which);
PROBE_IMPORT int PROBE_WINAPI WriteFile(void *file, const void *data, uint32_t size, uint32_t *written,
                           void *overlapped);
PROBE_IMPORT uint32_t PROBE_WINAPI GetLastError(void);
PROBE_IMPORT void *PROBE_WINAPI GetProcessHeap(void);
PROBE_IMPORT void *PROBE_WINAPI HeapAlloc(void *heap, uint32_t flags, size_t size);
PROBE_IMPORT void *PROBE_WINAPI HeapReAlloc(void *heap, uint32_t flags, void *p, size_t size);
PROBE_IMPORT int PROBE_WINAPI HeapFree(void *heap, uint32_t flags, void *p);
PROBE_IMPORT char *PROBE_WINAPI GetCommandLineA(void);
PROBE_IMPORT void PROBE_WINAPI ExitProcess(uint32_t code);
PROBE_IMPORT uint32_t PROBE_WINAPI SetErrorMode(uint32_t mode);

#define PROBE_STD_OUTPUT_HANDLE ((uint32_t)-11)
#define PROBE_SEM_FAILCRITICALERRORS 0x0001u
#define PROBE_SEM_NOGPFAULTERRORBOX 0x0002u

void *probe_os_open(const char *path, char *err, uint32_t err_size)
{
    static const char hex[] = "0123456789abcdef";
    static const char what[] = "LoadLibraryA failed, GetLastError() = 0x";
    void *lib = LoadLibraryA(path);
    if (lib == NULL && err_size > sizeof(what) + 8) {
        uint32_t code = GetLastError(), i;
        for (i = 0; i < sizeof(what) - 1; i++)
            err[i] = what[i];
        for (i = 0; i < 8; i++)
            err[sizeof(what) - 1 + i] = hex[(code >> (28 - 4 * i)) & 15];
        err[sizeof(what) - 1 + 8] = '\0';
    }
    return lib;
}

void *probe_os_sym(void *lib, const char *name)
{
    return GetProcAddress(lib, name);
}

void probe_os_close(void *lib)
{
    FreeLibrary(lib);
}

void probe_os_write(const char *text, uint32_t length)
{
    uint32_t written = 0;
    WriteFile(GetStdHandle(PROBE_STD_OUTPUT_HANDLE), text, length, &written, NULL);
}

void *probe_os_alloc(uint64_t size)
{
    return HeapAlloc(GetProcessHeap(), 0, (size_t)(size ? size : 1));
}

void *probe_os_realloc(void *p, uint64_t size)
{
    if (p == NULL)
        return probe_os_alloc(size);
    return HeapReAlloc(GetProcessHeap(), 0, p, (size_t)(size ? size : 1));
}

void probe_os_free(void *p)
{
    if (p != NULL)
        HeapFree(GetProcessHeap(), 0, p);
}

#if PROBE_MEASURE_STACK
/* cdecl, so the symbol carries one leading underscore on 32-bit Windows.
 * ebx, esi, edi and ebp are callee-saved in every x86 convention, so they
 * survive the call; ebx keeps the stack pointer from before the pushes. */
__asm__(".text\n"
        ".globl _probe_stack_call\n"
        "_probe_stack_call:\n"
        "    pushl %ebp\n"
        "    movl %esp, %ebp\n"
        "    pushl %ebx\n"
        "    pushl %esi\n"
        "    pushl %edi\n"
        "    movl 12(%ebp), %esi\n" /* words */
        "    movl 16(%ebp), %ecx\n" /* n */
        "    movl %esp, %ebx\n"
        "1:  testl %ecx, %ecx\n"
        "    jz 2f\n"
        "    decl %ecx\n"
        "    pushl (%esi,%ecx,4)\n"
        "    jmp 1b\n"
        "2:  call *8(%ebp)\n"
        "    movl %esp, %ecx\n"
        "    subl %ebx, %ecx\n"
        "    movl %ebx, %esp\n"
        "    movl 20(%ebp), %edi\n" /* drift */
        "    movl %ecx, (%edi)\n"
        "    popl %edi\n"
        "    popl %esi\n"
        "    popl %ebx\n"
        "    popl %ebp\n"
        "    ret\n");
#endif

#ifdef PROBE_FREESTANDING
/* Splits the command line the way the C runtime does for simple
 * arguments: blanks separate, double quotes group. */
#define PROBE_MAX_ARGS 8
void __cdecl mainCRTStartup(void);
void __cdecl mainCRTStartup(void)
{
    static char buffer[4096];
    char *argv[PROBE_MAX_ARGS + 1];
    const char *s = GetCommandLineA();
    char *d = buffer, *end = buffer + sizeof(buffer) - 1;
    int argc = 0;
    SetErrorMode(PROBE_SEM_FAILCRITICALERRORS | PROBE_SEM_NOGPFAULTERRORBOX);
    while (*s != '\0' && argc < PROBE_MAX_ARGS) {
        int quoted = 0;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0')
            break;
        argv[argc++] = d;
        while (*s != '\0' && (quoted || (*s != ' ' && *s != '\t'))) {
            if (*s == '"')
                quoted = !quoted;
            else if (d < end)
                *d++ = *s;
            s++;
        }
        if (d < end)
            *d++ = '\0';
    }
    argv[argc] = NULL;
    ExitProcess((uint32_t)probe_host_main(argc, argv));
}
#else
int main(int argc, char **argv)
{
    SetErrorMode(PROBE_SEM_FAILCRITICALERRORS | PROBE_SEM_NOGPFAULTERRORBOX);
    return probe_host_main(argc, argv);
}
#endif
