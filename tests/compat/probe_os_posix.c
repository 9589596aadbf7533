/* probe_os_posix.c - probe_os.h for Linux and other POSIX systems. */
#define _POSIX_C_SOURCE 200809L
#include "probe_os.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *probe_os_open(const char *path, char *err, uint32_t err_size)
{
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL && err_size > 0) {
        const char *why = dlerror();
        strncpy(err, why ? why : "dlopen failed", err_size - 1);
        err[err_size - 1] = '\0';
    }
    return lib;
}

void *probe_os_sym(void *lib, const char *name)
{
    return dlsym(lib, name);
}

void probe_os_close(void *lib)
{
    dlclose(lib);
}

void probe_os_write(const char *text, uint32_t length)
{
    while (length > 0) {
        ssize_t n = write(1, text, length);
        if (n <= 0)
            return;
        text += n;
        length -= (uint32_t)n;
    }
}

void *probe_os_alloc(uint64_t size)
{
    return malloc(size ? (size_t)size : 1);
}

void *probe_os_realloc(void *p, uint64_t size)
{
    return realloc(p, size ? (size_t)size : 1);
}

void probe_os_free(void *p)
{
    free(p);
}

int main(int argc, char **argv)
{
    return probe_host_main(argc, argv);
}
