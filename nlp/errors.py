"""The one error the command line turns into exit code 2."""


class InputError(ValueError):
    """A file or argument the user gave cannot be used.

    Parameters
    ----------
    source : str or path-like
        The file (or option) at fault, as the user named it.
    problem : str
        What is wrong with it, and what was expected where that helps.

    Examples
    --------
    >>> str(InputError("report.txt", "file is empty"))
    'report.txt: file is empty'
    """

    def __init__(self, source, problem):
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")

    def __reduce__(self):
        # Rebuilt from both parts, so it survives the trip back from a worker process.
        return type(self), (self.source, self.problem)
