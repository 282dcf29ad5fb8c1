"""Operations: the only code that changes state. They flush; the caller commits once."""
