//! Enum columns: each product enum is stored as its snake_case name in a `text` column (whose
//! CHECK constraint lists the names). One `ToSql`/`FromSql` pair each, through [`text_enum!`];
//! a value the enum does not know is an error when the row is read, never a silent default.

/// Maps an enum with `as_str()` and `FromStr` to a `text` column.
#[macro_export]
macro_rules! text_enum {
    ($t:ty) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $t {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                use std::io::Write as _;
                out.write_all(self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $t {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text =
                    <String as diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg>>::from_sql(bytes)?;
                text.parse()
                    .map_err(|_| format!("{text:?} is not a {}", stringify!($t)).into())
            }
        }
    };
}
