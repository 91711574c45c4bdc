"""Development tools of the kit's checkout (not in the wheel): the README's generated blocks."""
