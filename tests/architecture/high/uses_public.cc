// Includes a public header of "low".
#include "percept/low/low.h"
