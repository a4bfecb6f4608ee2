// Includes a public header of "low" with angle brackets.
#include <percept/low/low.h>
