DROP TABLE territory_needs;
