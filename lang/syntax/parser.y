/* parser — the pure bison grammar of the Flux language.
 *
 * One grammar for files and for the inside of {{ ... }}: a first token chosen
 * by the caller selects which. Lists under construction are malloc'd vectors
 * with a %destructor, so error recovery frees what it drops; finished nodes are
 * frozen into the compilation's arena. Every syntax error of a file is reported
 * (recovery resynchronises at the next newline), and the error count is kept in
 * the lex state, apart from yyparse's return value.
 */
%require "3.8"
%define api.pure full
%define api.prefix {fluxyy}
%define api.token.prefix {T_}
%define api.location.type {flux_loc}
%define parse.error custom
%define parse.lac full
%define lr.default-reduction consistent
%locations
%expect 0
%param {flux_lexstate *ls}

%code requires {
#include <stdint.h>
#include "lexstate.h"
typedef struct flux_vec {
    void **v;
    size_t n, cap;
} flux_vec;
}

%code provides {
int fluxyylex(FLUXYYSTYPE *lval, flux_loc *lloc, flux_lexstate *ls);
void fluxyyerror(flux_loc *loc, flux_lexstate *ls, const char *msg);
}

%code {
#include <stdlib.h>
#include <string.h>


#define YYLLOC_DEFAULT(Cur, Rhs, N)                                  \
    do {                                                             \
        if (N) {                                                     \
            (Cur).begin = YYRHSLOC(Rhs, 1).begin;                    \
            (Cur).end = YYRHSLOC(Rhs, N).end;                        \
        } else {                                                     \
            (Cur).begin = (Cur).end = YYRHSLOC(Rhs, 0).end;          \
        }                                                            \
    } while (0)

static flux_span SP(flux_lexstate *ls, flux_loc l)
{
    flux_span s = {ls->file, l.begin, l.end};
    return s;
}

static void *xnode(flux_lexstate *ls, size_t size) { return flux_arena_alloc(ls->arena, size); }

/* the condition of a branch whose head did not parse */
static flux_expr broken_cond;

static bool chain_broken(const flux_vec *v)
{
    for (size_t i = 0; i + 2 < v->n; i += 3)
        if (v->v[i] == &broken_cond)
            return true;
    return false;
}

static void if_chain_free(flux_vec *v)
{
    /* triples: condition, body vector, malloc'd location (NULL once taken) */
    for (size_t i = 0; v && i + 2 < v->n; i += 3) {
        if (v->v[i + 1])
            free(((flux_vec *)v->v[i + 1])->v);
        free(v->v[i + 1]);
        free(v->v[i + 2]);
    }
    if (v) {
        free(v->v);
        free(v);
    }
}

static flux_vec *vec_new(void)
{
    flux_vec *v = calloc(1, sizeof *v);
    if (!v)
        abort();
    return v;
}

static flux_vec *vec_push(flux_vec *v, void *p)
{
    if (!p)
        return v; /* a dropped (erroneous) element */
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 4;
        void **n = realloc(v->v, v->cap * sizeof *n);
        if (!n)
            abort();
        v->v = n;
    }
    v->v[v->n++] = p;
    return v;
}

static void vec_free(flux_vec *v)
{
    if (v) {
        free(v->v);
        free(v);
    }
}

/* moves a vector's pointers into the arena and frees the vector */
static void **vec_freeze(flux_lexstate *ls, flux_vec *v, size_t *n)
{
    *n = v->n;
    void **out = flux_arena_memdup(ls->arena, v->v, v->n * sizeof *v->v);
    vec_free(v);
    return out;
}

static flux_body mk_body(flux_lexstate *ls, flux_vec *v, flux_loc l)
{
    flux_body b;
    b.v = (flux_item **)vec_freeze(ls, v, &b.n);
    b.span = SP(ls, l);
    return b;
}

static flux_exprs mk_exprs(flux_lexstate *ls, flux_vec *v)
{
    flux_exprs e;
    e.v = (flux_expr **)vec_freeze(ls, v, &e.n);
    return e;
}

static flux_item *mk_item(flux_lexstate *ls, flux_ikind k, flux_loc l)
{
    flux_item *it = xnode(ls, sizeof *it);
    it->kind = k;
    it->span = SP(ls, l);
    return it;
}

/* an {% if %} item from the chain of its branches: triples of condition
 * (NULL for else), body vector, body location; the vectors are taken */
static flux_item *mk_if(flux_lexstate *ls, flux_vec *chain, flux_loc l)
{
    flux_item *it = mk_item(ls, FLUX_I_IF, l);
    size_t n = chain->n / 3, nc = 0;
    it->u.cond.conds = xnode(ls, (n ? n : 1) * sizeof(flux_expr *));
    it->u.cond.bodies = xnode(ls, (n ? n : 1) * sizeof(flux_body));
    for (size_t i = 0; i < n; i++) {
        flux_expr *c = chain->v[3 * i];
        flux_vec *b = chain->v[3 * i + 1];
        flux_loc *bl = chain->v[3 * i + 2];
        flux_body body = mk_body(ls, b, *bl);
        free(bl);
        chain->v[3 * i + 1] = NULL;
        chain->v[3 * i + 2] = NULL;
        if (c) {
            it->u.cond.conds[nc] = c;
            it->u.cond.bodies[nc] = body;
            nc++;
        } else {
            it->u.cond.else_body = xnode(ls, sizeof(flux_body));
            *it->u.cond.else_body = body;
        }
    }
    it->u.cond.n = nc;
    return it;
}

static flux_expr *mk_x(flux_lexstate *ls, flux_xkind k, flux_loc l)
{
    flux_expr *x = xnode(ls, sizeof *x);
    x->kind = k;
    x->span = SP(ls, l);
    return x;
}

static flux_expr *mk_bin(flux_lexstate *ls, flux_xop op, flux_expr *a, flux_expr *b, flux_loc l)
{
    flux_expr *x = mk_x(ls, FLUX_X_BINARY, l);
    x->u.binary.op = op;
    x->u.binary.lhs = a;
    x->u.binary.rhs = b;
    return x;
}

static flux_expr *mk_un(flux_lexstate *ls, flux_xop op, flux_expr *a, flux_loc l)
{
    flux_expr *x = mk_x(ls, FLUX_X_UNARY, l);
    x->u.unary.op = op;
    x->u.unary.arg = a;
    return x;
}

static flux_val *mk_v(flux_lexstate *ls, flux_vkind k, flux_loc l)
{
    flux_val *v = xnode(ls, sizeof *v);
    v->kind = k;
    v->span = SP(ls, l);
    return v;
}

static flux_thead *mk_head(flux_lexstate *ls, int tok, flux_expr *x)
{
    flux_thead *h = xnode(ls, sizeof *h);
    h->tok = tok;
    h->expr = x;
    return h;
}

static const char *tok_text(flux_lexstate *ls, flux_loc l)
{
    return flux_arena_strndup(ls->arena, ls->text + l.begin, l.end - l.begin);
}

}

%union {
    flux_vec *vec;
    flux_expr *x;
    flux_tstr *t;
    flux_val *v;
    flux_item *item;
    flux_mapent *ent;
    flux_operand *opnd;
    flux_param_decl *pd;
    const char *s;
    flux_thead *head;
}

%destructor { vec_free($$); } <vec>
%destructor { if_chain_free($$); } if_chain

%token START_FILE START_EXPR START_STMT
%token NL "newline"
%token PIPELINE "'pipeline'" TASK "'task'" PARAMS "'params'"
%token TRUE "'true'" FALSE "'false'" NONE "'none'"
%token NAME "name" STRING "string" TSTRING "triple-quoted string" XSTRING "quoted string"
%token INT "integer" FLOAT "number" DURATION "duration"
%token ARROW "'>>'"
%token TS_FOR "'{% for'" TS_ENDFOR "'{% endfor'" TS_IF "'{% if'" TS_ELIF "'{% elif'"
%token TS_ELSE "'{% else'" TS_ENDIF "'{% endif'" TS_SET "'{% set'" TS_MACRO "'{% macro'"
%token TS_ENDMACRO "'{% endmacro'" TS_INCLUDE "'{% include'" TS_END "'%}'"
%token IDENT "identifier" IN "'in'" NOT "'not'" AND "'and'" OR "'or'" IF "'if'" ELSE "'else'"
%token EQ "'=='" NE "'!='" LE "'<='" GE "'>='" IDIV "'//'"
%token INVALID "invalid token"
/* a map's braces, told from a block's by the scanner: a '}' that ends a
 * map can never end a block during error recovery */
%token MAPOPEN "'{'" MAPCLOSE "'}'"

%type <vec> body body_x name_list values values_opt entries entries_opt args args_opt dict_items dict_opt
%type <vec> macro_params macro_params_opt deps if_chain
%type <item> item
%type <t> name string keyword_key
%type <v> value
%type <ent> entry
%type <opnd> operand
%type <x> expr primary
%type <pd> macro_param
%type <head> stmt_head

%right IF ELSE
%left OR
%left AND
%right NOT
%nonassoc IN EQ NE '<' '>' LE GE
%left '~'
%left '+' '-'
%left '*' '/' IDIV '%'
%precedence UNARY
%precedence '|'
%precedence '.' '['

%%

start
    : START_FILE body_x             { ls->result_body = mk_body(ls, $2, @2); }
    | START_EXPR expr               { ls->result_expr = $2; }
    | START_EXPR error              { ls->result_expr = NULL; }
    | START_STMT stmt_head          { ls->result_head = $2; }
    | START_STMT error              { ls->result_head = NULL; }
    ;

body
    : %empty                        { $$ = vec_new(); }
    | body NL                       { $$ = $1; }
    | body item NL                  { $$ = vec_push($1, $2); }
    | body error NL                 { $$ = $1; yyerrok; }
    ;

body_x
    : body                          { $$ = $1; }
    | body item                     { $$ = vec_push($1, $2); }
    | body error                    { $$ = $1; } /* a broken last item: the block's end still closes it */
    ;

item
    : PIPELINE name '{' body_x '}'  {
            $$ = mk_item(ls, FLUX_I_PIPELINE, @$);
            $$->u.pipeline.name = $2;
            $$->u.pipeline.body = mk_body(ls, $4, @4);
        }
    | TASK name ':' name '{' body_x '}' {
            $$ = mk_item(ls, FLUX_I_TASK, @$);
            $$->u.task.name = $2;
            $$->u.task.op = $4;
            $$->u.task.body = mk_body(ls, $6, @6);
        }
    | PARAMS '{' body_x '}'         {
            $$ = mk_item(ls, FLUX_I_PARAMS, @$);
            $$->u.params.body = mk_body(ls, $3, @3);
        }
    | name '{' body_x '}'           {
            $$ = mk_item(ls, FLUX_I_BLOCK, @$);
            $$->u.block.name = $1;
            $$->u.block.body = mk_body(ls, $3, @3);
        }
    | name '=' value                {
            $$ = mk_item(ls, FLUX_I_ATTR, @$);
            $$->u.attr.key = $1;
            $$->u.attr.val = $3;
        }
    | keyword_key '=' value         {
            $$ = mk_item(ls, FLUX_I_ATTR, @$);
            $$->u.attr.key = $1;
            $$->u.attr.val = $3;
        }
    | deps                          {
            $$ = mk_item(ls, FLUX_I_DEPS, @$);
            size_t n = $1->n;
            $$->u.deps.n = n;
            $$->u.deps.v = xnode(ls, n * sizeof(flux_operand));
            $$->u.deps.arrows = xnode(ls, (n ? n : 1) * sizeof(flux_span));
            for (size_t i = 0; i < n; i++) {
                flux_operand *o = $1->v[i];
                $$->u.deps.v[i] = *o;
                /* the arrow before operand i sits between the two operands */
                if (i > 0) {
                    flux_span a = {ls->file, $$->u.deps.v[i - 1].span.end, o->span.begin};
                    $$->u.deps.arrows[i - 1] = a;
                }
            }
            vec_free($1);
        }
    | TS_SET IDENT '=' expr TS_END  {
            $$ = mk_item(ls, FLUX_I_SET, @$);
            $$->u.set.name = tok_text(ls, @2);
            $$->u.set.name_span = SP(ls, @2);
            $$->u.set.val = flux_parse_bound(ls, $4);
        }
    | TS_FOR IDENT IN expr TS_END body_x TS_ENDFOR TS_END {
            $$ = mk_item(ls, FLUX_I_FOR, @$);
            $$->u.loop.var = tok_text(ls, @2);
            $$->u.loop.var_span = SP(ls, @2);
            $$->u.loop.iter = flux_parse_bound(ls, $4);
            $$->u.loop.body = mk_body(ls, $6, @6);
        }
    | TS_FOR IDENT ',' IDENT IN expr TS_END body_x TS_ENDFOR TS_END {
            $$ = mk_item(ls, FLUX_I_FOR, @$);
            $$->u.loop.var = tok_text(ls, @2);
            $$->u.loop.var_span = SP(ls, @2);
            $$->u.loop.var2 = tok_text(ls, @4);
            $$->u.loop.var2_span = SP(ls, @4);
            $$->u.loop.iter = flux_parse_bound(ls, $6);
            $$->u.loop.body = mk_body(ls, $8, @8);
        }
    | if_chain TS_ENDIF TS_END      {
            $$ = chain_broken($1) ? NULL : mk_if(ls, $1, @$);
            if_chain_free($1);
        }
    | TS_MACRO IDENT '(' macro_params_opt ')' TS_END body_x TS_ENDMACRO TS_END {
            $$ = mk_item(ls, FLUX_I_MACRO, @$);
            $$->u.macro.name = tok_text(ls, @2);
            $$->u.macro.name_span = SP(ls, @2);
            size_t n = $4->n;
            $$->u.macro.params = xnode(ls, (n ? n : 1) * sizeof(flux_param_decl));
            for (size_t i = 0; i < n; i++)
                $$->u.macro.params[i] = *(flux_param_decl *)$4->v[i];
            $$->u.macro.nparams = n;
            vec_free($4);
            $$->u.macro.body = mk_body(ls, $7, @7);
        }
    | TS_INCLUDE XSTRING TS_END     {
            $$ = mk_item(ls, FLUX_I_INCLUDE, @$);
            $$->u.include.path = flux_lex_tstr(ls, @2, TSTR_XSTRING);
        }
    /* a statement whose head is broken: the block is still read to its
     * end, so what follows it is not misread, and dropped */
    | TS_FOR error TS_END body_x TS_ENDFOR TS_END { vec_free($4); $$ = NULL; }
    | TS_SET error TS_END           { $$ = NULL; }
    | TS_MACRO error TS_END body_x TS_ENDMACRO TS_END { vec_free($4); $$ = NULL; }
    | TS_INCLUDE error TS_END       { $$ = NULL; }
    ;

if_chain
    : TS_IF error TS_END body_x     {
            $$ = vec_new();
            flux_loc *l = malloc(sizeof *l);
            if (!l) abort();
            *l = @4;
            vec_push($$, &broken_cond); vec_push($$, $4); vec_push($$, l);
        }
    | if_chain TS_ELIF error TS_END body_x {
            $$ = $1;
            flux_loc *l = malloc(sizeof *l);
            if (!l) abort();
            *l = @5;
            vec_push($$, &broken_cond); vec_push($$, $5); vec_push($$, l);
        }
    | TS_IF expr TS_END body_x      {
            $$ = vec_new();
            flux_loc *l = malloc(sizeof *l);
            if (!l) abort();
            *l = @4;
            vec_push($$, flux_parse_bound(ls, $2)); vec_push($$, $4); vec_push($$, l);
        }
    | if_chain TS_ELIF expr TS_END body_x {
            $$ = $1;
            flux_loc *l = malloc(sizeof *l);
            if (!l) abort();
            *l = @5;
            if ($$->n >= 3 && $$->v[$$->n - 3] == NULL)
                flux_parse_if_else_check(ls, NULL, @2);
            vec_push($$, flux_parse_bound(ls, $3)); vec_push($$, $5); vec_push($$, l);
        }
    | if_chain TS_ELSE TS_END body_x {
            $$ = $1;
            flux_loc *l = malloc(sizeof *l);
            if (!l) abort();
            *l = @4;
            if ($$->n >= 3 && $$->v[$$->n - 3] == NULL)
                flux_parse_if_else_check(ls, NULL, @2);
            /* NULL condition marks the else branch; vec_push skips NULL, so push by hand */
            if ($$->n + 3 > $$->cap) {
                $$->cap = 2 * ($$->n + 3);
                void **nv = realloc($$->v, $$->cap * sizeof *nv);
                if (!nv) abort();
                $$->v = nv;
            }
            $$->v[$$->n++] = NULL;
            vec_push($$, $4); vec_push($$, l);
        }
    ;

macro_params_opt
    : %empty                        { $$ = vec_new(); }
    | macro_params                  { $$ = $1; }
    | macro_params ','              { $$ = $1; }
    ;

macro_params
    : macro_param                   { $$ = vec_push(vec_new(), $1); }
    | macro_params ',' macro_param  { $$ = vec_push($1, $3); }
    ;

macro_param
    : IDENT                         {
            $$ = xnode(ls, sizeof *$$);
            $$->name = tok_text(ls, @1);
            $$->span = SP(ls, @1);
        }
    | IDENT '=' expr                {
            $$ = xnode(ls, sizeof *$$);
            $$->name = tok_text(ls, @1);
            $$->span = SP(ls, @1);
            $$->deflt = flux_parse_bound(ls, $3);
        }
    ;

deps
    : operand                       { $$ = vec_push(vec_new(), $1); }
    | deps ARROW operand            { $$ = vec_push($1, $3); }
    ;

operand
    : name                          {
            $$ = xnode(ls, sizeof *$$);
            $$->names = xnode(ls, sizeof(flux_tstr *));
            $$->names[0] = $1;
            $$->n = 1;
            $$->span = SP(ls, @1);
        }
    | '[' name_list ']'             {
            $$ = xnode(ls, sizeof *$$);
            $$->names = (flux_tstr **)vec_freeze(ls, $2, &$$->n);
            $$->bracketed = true;
            $$->span = SP(ls, @$);
        }
    ;

name_list
    : name                          { $$ = vec_push(vec_new(), $1); }
    | name_list ',' name            { $$ = vec_push($1, $3); }
    | name_list ','                 { $$ = $1; }
    ;

name
    : NAME                          { $$ = flux_lex_tstr(ls, @1, TSTR_NAME); }
    ;

/* operator parameters may be named like keywords (external_task_sensor's
 * pipeline and task) */
keyword_key
    : PIPELINE                      { $$ = flux_lex_tstr(ls, @1, TSTR_NAME); }
    | TASK                          { $$ = flux_lex_tstr(ls, @1, TSTR_NAME); }
    | PARAMS                        { $$ = flux_lex_tstr(ls, @1, TSTR_NAME); }
    ;

string
    : STRING                        { $$ = flux_lex_tstr(ls, @1, TSTR_STRING); }
    | TSTRING                       { $$ = flux_lex_tstr(ls, @1, TSTR_TRIPLE); }
    ;

value
    : string                        { $$ = mk_v(ls, FLUX_V_STRING, @1); $$->u.str = $1; }
    | INT                           { $$ = mk_v(ls, FLUX_V_INT, @1); $$->u.i = flux_parse_int(ls, @1); }
    | FLOAT                         { $$ = mk_v(ls, FLUX_V_FLOAT, @1); $$->u.f = flux_parse_float(ls, @1); }
    | DURATION                      { $$ = mk_v(ls, FLUX_V_DURATION, @1); $$->u.ms = flux_parse_duration(ls, @1); }
    | TRUE                          { $$ = mk_v(ls, FLUX_V_BOOL, @1); $$->u.b = true; }
    | FALSE                         { $$ = mk_v(ls, FLUX_V_BOOL, @1); $$->u.b = false; }
    | name                          { $$ = mk_v(ls, FLUX_V_IDENT, @1); $$->u.str = $1; }
    | '[' values_opt ']'            {
            $$ = mk_v(ls, FLUX_V_LIST, @$);
            $$->u.list.v = (flux_val **)vec_freeze(ls, $2, &$$->u.list.n);
        }
    | MAPOPEN entries_opt MAPCLOSE  {
            $$ = mk_v(ls, FLUX_V_MAP, @$);
            size_t n = $2->n;
            $$->u.map.v = xnode(ls, (n ? n : 1) * sizeof(flux_mapent));
            for (size_t i = 0; i < n; i++)
                $$->u.map.v[i] = *(flux_mapent *)$2->v[i];
            $$->u.map.n = n;
            vec_free($2);
        }
    ;

values_opt
    : %empty                        { $$ = vec_new(); }
    | values                        { $$ = $1; }
    | values ','                    { $$ = $1; }
    ;

values
    : value                         { $$ = vec_push(vec_new(), $1); }
    | values ',' value              { $$ = vec_push($1, $3); }
    ;

entries_opt
    : %empty                        { $$ = vec_new(); }
    | entries                       { $$ = $1; }
    | entries ','                   { $$ = $1; }
    ;

entries
    : entry                         { $$ = vec_push(vec_new(), $1); }
    | entries ',' entry             { $$ = vec_push($1, $3); }
    ;

entry
    : name '=' value                { $$ = xnode(ls, sizeof *$$); $$->key = $1; $$->val = $3; }
    | string '=' value              { $$ = xnode(ls, sizeof *$$); $$->key = $1; $$->val = $3; }
    ;

/* ---- template expressions ---- */

expr
    : primary                       { $$ = $1; }
    | expr '.' IDENT                {
            $$ = mk_x(ls, FLUX_X_ATTR, @$);
            $$->u.attr.obj = $1;
            $$->u.attr.name = tok_text(ls, @3);
            $$->u.attr.name_span = SP(ls, @3);
        }
    | expr '[' expr ']'             {
            $$ = mk_x(ls, FLUX_X_INDEX, @$);
            $$->u.index.obj = $1;
            $$->u.index.index = $3;
        }
    | expr '|' IDENT                {
            $$ = mk_x(ls, FLUX_X_FILTER, @$);
            $$->u.filter.arg = $1;
            $$->u.filter.name = tok_text(ls, @3);
            $$->u.filter.name_span = SP(ls, @3);
        }
    | expr '|' IDENT '(' args_opt ')' {
            $$ = mk_x(ls, FLUX_X_FILTER, @$);
            $$->u.filter.arg = $1;
            $$->u.filter.name = tok_text(ls, @3);
            $$->u.filter.name_span = SP(ls, @3);
            $$->u.filter.args = mk_exprs(ls, $5);
        }
    | '-' expr %prec UNARY          { $$ = mk_un(ls, FLUX_OP_NEG, $2, @$); }
    | '+' expr %prec UNARY          { $$ = mk_un(ls, FLUX_OP_POS, $2, @$); }
    | NOT expr                      { $$ = mk_un(ls, FLUX_OP_NOT, $2, @$); }
    | expr '+' expr                 { $$ = mk_bin(ls, FLUX_OP_ADD, $1, $3, @$); }
    | expr '-' expr                 { $$ = mk_bin(ls, FLUX_OP_SUB, $1, $3, @$); }
    | expr '*' expr                 { $$ = mk_bin(ls, FLUX_OP_MUL, $1, $3, @$); }
    | expr '/' expr                 { $$ = mk_bin(ls, FLUX_OP_DIV, $1, $3, @$); }
    | expr IDIV expr                { $$ = mk_bin(ls, FLUX_OP_IDIV, $1, $3, @$); }
    | expr '%' expr                 { $$ = mk_bin(ls, FLUX_OP_MOD, $1, $3, @$); }
    | expr '~' expr                 { $$ = mk_bin(ls, FLUX_OP_CONCAT, $1, $3, @$); }
    | expr EQ expr                  { $$ = mk_bin(ls, FLUX_OP_EQ, $1, $3, @$); }
    | expr NE expr                  { $$ = mk_bin(ls, FLUX_OP_NE, $1, $3, @$); }
    | expr '<' expr                 { $$ = mk_bin(ls, FLUX_OP_LT, $1, $3, @$); }
    | expr LE expr                  { $$ = mk_bin(ls, FLUX_OP_LE, $1, $3, @$); }
    | expr '>' expr                 { $$ = mk_bin(ls, FLUX_OP_GT, $1, $3, @$); }
    | expr GE expr                  { $$ = mk_bin(ls, FLUX_OP_GE, $1, $3, @$); }
    | expr IN expr                  { $$ = mk_bin(ls, FLUX_OP_IN, $1, $3, @$); }
    | expr NOT IN expr %prec IN     { $$ = mk_bin(ls, FLUX_OP_NOT_IN, $1, $4, @$); }
    | expr AND expr                 { $$ = mk_bin(ls, FLUX_OP_AND, $1, $3, @$); }
    | expr OR expr                  { $$ = mk_bin(ls, FLUX_OP_OR, $1, $3, @$); }
    | expr IF expr ELSE expr        {
            $$ = mk_x(ls, FLUX_X_COND, @$);
            $$->u.cond.then = $1;
            $$->u.cond.cond = $3;
            $$->u.cond.other = $5;
        }
    ;

primary
    : IDENT                         { $$ = mk_x(ls, FLUX_X_NAME, @1); $$->u.name = tok_text(ls, @1); }
    | IDENT '(' args_opt ')'        {
            $$ = mk_x(ls, FLUX_X_CALL, @$);
            $$->u.call.name = tok_text(ls, @1);
            $$->u.call.name_span = SP(ls, @1);
            $$->u.call.args = mk_exprs(ls, $3);
        }
    | INT                           { $$ = mk_x(ls, FLUX_X_INT, @1); $$->u.i = flux_parse_int(ls, @1); }
    | FLOAT                         { $$ = mk_x(ls, FLUX_X_FLOAT, @1); $$->u.f = flux_parse_float(ls, @1); }
    | DURATION                      { $$ = mk_x(ls, FLUX_X_DURATION, @1); $$->u.ms = flux_parse_duration(ls, @1); }
    | XSTRING                       {
            $$ = mk_x(ls, FLUX_X_STRING, @1);
            flux_tstr *t = flux_lex_tstr(ls, @1, TSTR_XSTRING);
            $$->u.str.s = t->n ? t->parts[0].text : "";
            $$->u.str.len = t->n ? t->parts[0].len : 0;
        }
    | TRUE                          { $$ = mk_x(ls, FLUX_X_BOOL, @1); $$->u.b = true; }
    | FALSE                         { $$ = mk_x(ls, FLUX_X_BOOL, @1); $$->u.b = false; }
    | NONE                          { $$ = mk_x(ls, FLUX_X_NONE, @1); }
    | '(' expr ')'                  { $$ = $2; $$->span = SP(ls, @$); }
    | '[' args_opt ']'              { $$ = mk_x(ls, FLUX_X_LIST, @$); $$->u.list = mk_exprs(ls, $2); }
    | '{' dict_opt '}'              { $$ = mk_x(ls, FLUX_X_DICT, @$); $$->u.list = mk_exprs(ls, $2); }
    ;

args_opt
    : %empty                        { $$ = vec_new(); }
    | args                          { $$ = $1; }
    | args ','                      { $$ = $1; }
    ;

args
    : expr                          { $$ = vec_push(vec_new(), $1); }
    | args ',' expr                 { $$ = vec_push($1, $3); }
    ;

dict_opt
    : %empty                        { $$ = vec_new(); }
    | dict_items                    { $$ = $1; }
    | dict_items ','                { $$ = $1; }
    ;

dict_items
    : expr ':' expr                 { $$ = vec_push(vec_push(vec_new(), $1), $3); }
    | dict_items ',' expr ':' expr  { $$ = vec_push(vec_push($1, $3), $5); }
    ;

/* one {% %} tag of a string; tstr.c pairs the tags into blocks;
 * last, so the numbering of the tokens used above stays as it was */
stmt_head
    : TS_FOR IDENT IN expr TS_END   {
            $$ = mk_head(ls, T_TS_FOR, flux_parse_bound(ls, $4));
            $$->var = tok_text(ls, @2);
            $$->var_span = SP(ls, @2);
        }
    | TS_FOR IDENT ',' IDENT IN expr TS_END {
            $$ = mk_head(ls, T_TS_FOR, flux_parse_bound(ls, $6));
            $$->var = tok_text(ls, @2);
            $$->var_span = SP(ls, @2);
            $$->var2 = tok_text(ls, @4);
            $$->var2_span = SP(ls, @4);
        }
    | TS_IF expr TS_END             { $$ = mk_head(ls, T_TS_IF, flux_parse_bound(ls, $2)); }
    | TS_ELIF expr TS_END           { $$ = mk_head(ls, T_TS_ELIF, flux_parse_bound(ls, $2)); }
    | TS_ELSE TS_END                { $$ = mk_head(ls, T_TS_ELSE, NULL); }
    | TS_ENDIF TS_END               { $$ = mk_head(ls, T_TS_ENDIF, NULL); }
    | TS_ENDFOR TS_END              { $$ = mk_head(ls, T_TS_ENDFOR, NULL); }
    | TS_SET IDENT '=' expr TS_END  {
            $$ = mk_head(ls, T_TS_SET, flux_parse_bound(ls, $4));
            $$->var = tok_text(ls, @2);
            $$->var_span = SP(ls, @2);
        }
    ;

%%

int fluxyylex(FLUXYYSTYPE *lval, flux_loc *lloc, flux_lexstate *ls)
{
    if (ls->start_token) {
        int t = ls->start_token;
        ls->start_token = 0;
        lloc->begin = lloc->end = ls->base;
        return t;
    }
    ls->lval = lval;
    ls->lloc = lloc;
    return flux_parse_next(ls, lloc);
}

static int yyreport_syntax_error(const yypcontext_t *ctx, flux_lexstate *ls)
{
    enum { MAXEXP = 64 };
    yysymbol_kind_t exp[MAXEXP];
    int n = yypcontext_expected_tokens(ctx, exp, MAXEXP);
    const char *names[MAXEXP];
    int k = 0;
    for (int i = 0; i < n && i < MAXEXP; i++)
        names[k++] = yysymbol_name(exp[i]);
    yysymbol_kind_t la = yypcontext_token(ctx);
    const flux_loc *loc = yypcontext_location(ctx);
    int what = la == YYSYMBOL_INVALID ? 1 : la == YYSYMBOL_YYEOF ? 2 : 0;
    const char *name = yysymbol_name(la);
    int kind = !strcmp(name, "'{'") || !strcmp(name, "'['") || !strcmp(name, "'('") ? LA_OPENER
               : !strcmp(name, "'}'") || !strcmp(name, "']'") || !strcmp(name, "')'") ? LA_CLOSER
                                                                                    : LA_OTHER;
    flux_parse_report(ls, *loc, what, what == 2 ? "end of file" : name, names, n < 0 || n > MAXEXP ? 0 : k);
    flux_parse_recover(ls, *loc, kind);
    return 0;
}
