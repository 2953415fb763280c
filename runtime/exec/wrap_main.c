/* wrap_main — main() of the flux-wrap binary. */
#include "wrap.h"

int main(int argc, char **argv)
{
    return flux_wrap_main(argc - 1, argv + 1);
}
