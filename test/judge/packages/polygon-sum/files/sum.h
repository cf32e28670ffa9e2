// shared by the checker and the validator: the bounds of a and b
#pragma once
const long long SUM_BOUND = 2000000000LL;
