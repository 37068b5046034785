/* sandbox: placeholder until its helper lands (development only). */
#include "sandbox.h"
