/* schedule — the whole time layer in one include, for callers that use
 * several of its parts: schedule strings (cron.h), durations (duration.h),
 * ISO-8601 times (isotime.h), time zones and their names (tz.h) and the
 * evaluation of schedules into runs (timetable.h). Shared by the compiler
 * (which checks, with a byte range inside the string for the caret) and the
 * runtime (which evaluates). */
#ifndef FLUX_SCHEDULE_H
#define FLUX_SCHEDULE_H

#include "civil.h"
#include "clock.h"
#include "cron.h"
#include "duration.h"
#include "isotime.h"
#include "schederr.h"
#include "timetable.h"
#include "tz.h"

#endif
