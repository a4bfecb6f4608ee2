// Includes a public header of "low" indented, as under an #if.
#if 1
  #include "percept/low/low.h"
#endif
