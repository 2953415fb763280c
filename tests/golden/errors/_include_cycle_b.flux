{% include "include_cycle.flux" %}
