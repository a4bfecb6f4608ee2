// Includes a, whose .cc includes this header: a cycle.
#pragma once
#include "a.h"
