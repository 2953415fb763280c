check ../../../examples/tutorial/tutorial.flux --connections ../../../examples/tutorial/flux.yaml
