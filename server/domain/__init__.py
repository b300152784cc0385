"""Pure rules of the product: standard library only, the clock passed in as `now`."""
