/* bc-client.h: the whole client layer */
#pragma once

#include "bc-api-client.h"
#include "bc-bounty.h"
#include "bc-client-error.h"
#include "bc-credential-store.h"
#include "bc-livekit-token.h"
#include "bc-realtime.h"
#include "bc-session.h"
#include "bc-stream-event.h"
#include "bc-user.h"
