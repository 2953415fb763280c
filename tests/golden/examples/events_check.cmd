check ../../../examples/events/events.flux
