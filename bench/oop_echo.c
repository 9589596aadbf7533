/*
 * oop_echo.c - bench_oop_echo, the trivial program of oop.spawn.bare: reads
 * one 64-byte request on its standard input, answers it on its standard
 * output as bench_oop's children do (the first word plus one), and exits.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define MSG 64

int main(void)
{
    unsigned char msg[MSG];
    uint64_t counter;
    size_t got = 0;
    while (got < MSG) {
        ssize_t n = read(0, msg + got, MSG - got);
        if (n <= 0)
            return 1;
        got += (size_t)n;
    }
    memcpy(&counter, msg, sizeof(counter));
    counter++;
    memcpy(msg, &counter, sizeof(counter));
    return write(1, msg, MSG) == MSG ? 0 : 1;
}
