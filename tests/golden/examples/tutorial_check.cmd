check ../../../examples/tutorial/tutorial.flux
