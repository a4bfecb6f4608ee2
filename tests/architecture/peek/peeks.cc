// Reaches into a private header of "low", which linking "low" does not allow.
#include "../low/inner.h"
