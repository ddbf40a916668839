"""tvportal: the TV channel (电视端) of a city's government-services platform."""

__version__ = "0.1.0"
