// Includes a public header of "low" with a space after the hash.
# include "percept/low/low.h"
