// A public header of the fixture library "low".
#pragma once
