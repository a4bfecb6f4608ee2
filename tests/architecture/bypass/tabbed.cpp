// Includes a public header of "low" with tabs, from a .cpp file.
#	include	<percept/low/low.h>
