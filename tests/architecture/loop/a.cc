// Includes b, which includes a back.
#include "a.h"
#include "b.h"
