graph ../../../examples/tutorial/tutorial.flux --format dot
