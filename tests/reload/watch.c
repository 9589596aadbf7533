#include "rltest.h"
int main(void) { return 0; }
