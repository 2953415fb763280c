check ../../../examples/events/events.flux --connections ../../../examples/events/flux.yaml
