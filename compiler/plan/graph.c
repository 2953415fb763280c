/* graph — a pipeline's DAG as DOT, Mermaid or JSON.
 *
 * Node shapes tell the operator kinds apart at a glance: sensors are
 * ellipses (DOT) / stadiums (Mermaid), transfers cylinders, remote execution
 * boxes. Edges are sorted by (from, to) plan index so the text never depends
 * on the order dependencies were written in.
 */
#include "graph.h"

#include <stdlib.h>
#include <string.h>

#include "value.h"

static int cmp_edge(const void *x, const void *y)
{
    const flux_edge *a = *(flux_edge *const *)x, *b = *(flux_edge *const *)y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

static flux_edge **sorted_edges(const flux_pipeline *p)
{
    flux_edge **e = malloc((p->nedges ? p->nedges : 1) * sizeof *e);
    if (!e)
        abort();
    for (size_t i = 0; i < p->nedges; i++)
        e[i] = &p->edges[i];
    qsort(e, p->nedges, sizeof *e, cmp_edge);
    return e;
}

static void dot_string(const char *s, flux_buf *out)
{
    flux_buf_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            flux_buf_putc(out, '\\');
        flux_buf_putc(out, *s);
    }
    flux_buf_putc(out, '"');
}

static const char *kind_of(const flux_task *t)
{
    return t->kind ? t->kind : "remote";
}

static void write_dot(const flux_pipeline *p, flux_buf *out)
{
    flux_buf_puts(out, "digraph ");
    dot_string(p->name, out);
    flux_buf_puts(out, " {\n    rankdir=LR;\n    node [fontname=\"Helvetica\", fontsize=10];\n");
    for (size_t i = 0; i < p->ntasks; i++) {
        const flux_task *t = p->tasks[i];
        const char *k = kind_of(t);
        const char *shape = strcmp(k, "sensor") == 0 ? "ellipse" : strcmp(k, "transfer") == 0 ? "cylinder" : "box";
        flux_buf_puts(out, "    ");
        dot_string(t->id, out);
        flux_buf_puts(out, " [label=");
        flux_buf label = {0};
        flux_buf_printf(&label, "%s\n%s", t->id, t->op);
        /* \n in a DOT label is a line break: escape by hand */
        flux_buf_putc(out, '"');
        for (size_t j = 0; j < label.len; j++) {
            char c = label.data[j];
            if (c == '\n')
                flux_buf_puts(out, "\\n");
            else if (c == '"' || c == '\\')
                flux_buf_printf(out, "\\%c", c);
            else
                flux_buf_putc(out, c);
        }
        flux_buf_putc(out, '"');
        flux_buf_free(&label);
        flux_buf_printf(out, ", shape=%s, class=\"%s\"];\n", shape, k);
    }
    flux_edge **e = sorted_edges(p);
    for (size_t i = 0; i < p->nedges; i++) {
        flux_buf_puts(out, "    ");
        dot_string(p->tasks[e[i]->a]->id, out);
        flux_buf_puts(out, " -> ");
        dot_string(p->tasks[e[i]->b]->id, out);
        flux_buf_puts(out, ";\n");
    }
    free(e);
    flux_buf_puts(out, "}\n");
}

/* Mermaid labels sit in double quotes; a quote becomes an entity */
static void mermaid_label(const char *s, flux_buf *out)
{
    for (; *s; s++) {
        if (*s == '"')
            flux_buf_puts(out, "#quot;");
        else if (*s == '<')
            flux_buf_puts(out, "#lt;");
        else if (*s == '>')
            flux_buf_puts(out, "#gt;");
        else
            flux_buf_putc(out, *s);
    }
}

static void write_mermaid(const flux_pipeline *p, flux_buf *out)
{
    flux_buf_puts(out, "graph TD\n");
    for (size_t i = 0; i < p->ntasks; i++) {
        const flux_task *t = p->tasks[i];
        const char *k = kind_of(t);
        const char *open = strcmp(k, "sensor") == 0 ? "([" : strcmp(k, "transfer") == 0 ? "[(" : "[";
        const char *close = strcmp(k, "sensor") == 0 ? "])" : strcmp(k, "transfer") == 0 ? ")]" : "]";
        flux_buf_printf(out, "    t%zu%s\"", i, open);
        mermaid_label(t->id, out);
        flux_buf_puts(out, "<br/>");
        mermaid_label(t->op, out);
        flux_buf_printf(out, "\"%s\n", close);
    }
    flux_edge **e = sorted_edges(p);
    for (size_t i = 0; i < p->nedges; i++)
        flux_buf_printf(out, "    t%u --> t%u\n", e[i]->a, e[i]->b);
    free(e);
    for (size_t i = 0; i < p->ntasks; i++)
        flux_buf_printf(out, "    class t%zu %s\n", i, kind_of(p->tasks[i]));
    flux_buf_puts(out, "    classDef sensor fill:#fff4dd,stroke:#b8860b\n"
                       "    classDef transfer fill:#e3f2fd,stroke:#1565c0\n"
                       "    classDef remote fill:#f1f8e9,stroke:#558b2f\n");
}

static void json_str(const char *s, flux_buf *out)
{
    flux_value_json(flux_str(s, strlen(s)), out);
}

static void write_json(const flux_pipeline *p, flux_buf *out)
{
    flux_buf_puts(out, "{\"pipeline\": ");
    json_str(p->name, out);
    flux_buf_puts(out, ", \"nodes\": [");
    for (size_t i = 0; i < p->ntasks; i++) {
        const flux_task *t = p->tasks[i];
        flux_buf_puts(out, i ? ", {\"id\": " : "{\"id\": ");
        json_str(t->id, out);
        flux_buf_puts(out, ", \"operator\": ");
        json_str(t->op, out);
        flux_buf_puts(out, ", \"kind\": ");
        json_str(kind_of(t), out);
        flux_buf_putc(out, '}');
    }
    flux_buf_puts(out, "], \"edges\": [");
    flux_edge **e = sorted_edges(p);
    for (size_t i = 0; i < p->nedges; i++) {
        flux_buf_puts(out, i ? ", {\"from\": " : "{\"from\": ");
        json_str(p->tasks[e[i]->a]->id, out);
        flux_buf_puts(out, ", \"to\": ");
        json_str(p->tasks[e[i]->b]->id, out);
        flux_buf_putc(out, '}');
    }
    free(e);
    flux_buf_puts(out, "]}\n");
}

void flux_graph_write(const flux_pipeline *p, flux_graph_format f, flux_buf *out)
{
    switch (f) {
    case FLUX_GRAPH_DOT: write_dot(p, out); break;
    case FLUX_GRAPH_MERMAID: write_mermaid(p, out); break;
    case FLUX_GRAPH_JSON: write_json(p, out); break;
    }
}
