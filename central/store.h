#pragma once
// Moved: the store interface is central/store/store.h (this forwarding header goes once every branch has rebased).
#include "central/store/store.h"
