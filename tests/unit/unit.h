/* Common includes of the unit tests (cmocka, linked with the pure modules). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib.h"

#define NELEM(x)	(sizeof(x) / sizeof((x)[0]))
