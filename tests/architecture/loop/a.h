// Part of a fixture library whose two files include each other.
#pragma once
