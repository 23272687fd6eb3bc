from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """The production algorithm at one iteration, for tests only.

    The hash records its iteration count, so a server started by the tests
    (with the production hashers) still verifies these passwords.
    """

    iterations = 1
