/* evalkit — errors at a span and small value helpers, shared by the
 * evaluator and its filters. */
#include "evalkit.h"

#include <stdarg.h>

#include "isotime.h"

flux_eval_status flux_evalkit_error(flux_eval *ev, flux_span span, const char *help, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flux_diag *g = flux_diag_vreport(ev->diags, FLUX_SEV_ERROR, span, "template", help, fmt, ap);
    va_end(ap);
    if (g && ev->notes)
        ev->notes(ev->ud, g);
    return FLUX_EVAL_ERROR;
}

flux_value flux_evalkit_str(flux_eval *ev, flux_buf *b)
{
    flux_value v = flux_str(flux_arena_strndup(ev->arena, b->data ? b->data : "", b->len), b->len);
    flux_buf_free(b);
    return v;
}

flux_value flux_evalkit_render_str(flux_eval *ev, flux_value v)
{
    if (v.t == FLUX_T_STR)
        return v;
    flux_buf b = {0};
    flux_value_render(v, &b);
    return flux_evalkit_str(ev, &b);
}

bool flux_evalkit_as_time(flux_value v, int64_t *ms, int32_t *off)
{
    *off = 0;
    if (v.t == FLUX_T_TIME) {
        *ms = v.u.ms;
        *off = v.off;
        return true;
    }
    if (v.t == FLUX_T_STR) {
        bool zone;
        flux_sched_error e;
        return flux_time_parse(v.u.s.s, ms, &zone, &e) == 0;
    }
    return false;
}
