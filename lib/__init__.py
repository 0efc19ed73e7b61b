"""Badge Console: a console for the Badges module of Capillary loyalty, with a local sandbox of its API."""
