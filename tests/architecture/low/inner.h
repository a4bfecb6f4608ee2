// A private header of the fixture library "low".
#pragma once
