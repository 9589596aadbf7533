// tests/reload/unique.cpp - linked into the rl_unique version of the test
// module: a static variable of an inline function with default visibility,
// which GCC binds STB_GNU_UNIQUE (unless -fno-gnu-unique), so that the
// system loader never unloads the library.
__attribute__((visibility("default"))) inline int &rl_unique_count()
{
    static int count;
    return count;
}

extern "C" int rl_unique_touch(void)
{
    return ++rl_unique_count();
}
