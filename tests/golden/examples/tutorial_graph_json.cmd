graph ../../../examples/tutorial/tutorial.flux --format json
